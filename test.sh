#!/usr/bin/env bash
# The README's test command: installs the servers the tests start themselves when they are missing (README, "Testing"),
# then runs every test. Extra arguments go to `dotnet test` (e.g. ./test.sh --filter FullyQualifiedName~Queues).
set -euo pipefail
cd "$(dirname "$0")"

# Debian package per program the tests need on PATH: the Redis suites start their own redis-server
# (tests/Throttle.Testing/Redis); redis-cli is there to look at one by hand; the telemetry tests start their own
# prometheus and check the exposition with promtool (tests/Throttle.Runtime.Tests/Telemetry).
declare -A packages=([redis-server]=redis-server [redis-cli]=redis-tools [prometheus]=prometheus [promtool]=prometheus)
missing=()
for program in "${!packages[@]}"; do
  if ! command -v "$program" >/dev/null 2>&1; then
    missing+=("${packages[$program]}")
  fi
done

if [ "${#missing[@]}" -gt 0 ]; then
  if ! command -v apt-get >/dev/null 2>&1; then
    echo "test.sh: missing ${missing[*]} and no apt-get to install them; install them by hand or see README, Testing." >&2
    exit 1
  fi

  sudo=()
  if [ "$(id -u)" -ne 0 ]; then
    sudo=(sudo)
  fi

  echo "test.sh: installing ${missing[*]}"
  export DEBIAN_FRONTEND=noninteractive
  "${sudo[@]}" apt-get update -qq
  "${sudo[@]}" apt-get install -y -qq "${missing[@]}" >/dev/null
fi

exec dotnet test Throttle.sln "$@"
