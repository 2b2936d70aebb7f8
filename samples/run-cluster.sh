#!/usr/bin/env bash
# Runs the GatherStats sample as a two-instance cluster on one machine, without Docker:
#   1. starts a throwaway redis-server on a free port (no persistence; stopped on exit),
#   2. builds the sample once and starts two instances on two free ports with THROTTLE_REDIS,
#   3. calls /gather_stats on both at once and prints the combined maximum concurrency the upstream saw,
#   4. makes instance a's upstream fail (/gather_stats?fail=1) until its circuit breaker opens, then shows instance b,
#      which saw no failure, reporting its breaker Open and rejecting calls (the breaker is shared through Redis),
#   5. shows which instance leads the licence report (GET /leader), kills the leader with kill -9 and shows the other
#      taking over (with a larger fencing token) and how long that took.
# Exits 0 when that maximum is within the licence count, b's breaker opened without failures of its own and the
# leadership moved; 1 otherwise (or when anything fails).
#
# Usage: samples/run-cluster.sh            (CALLS=30 per instance by default)
#        CALLS=100 CONFIGURATION=Debug samples/run-cluster.sh
# Needs: dotnet, redis-server (or REDIS_SERVER=/path/to/redis-server), curl.
set -euo pipefail

CALLS="${CALLS:-30}"
CONFIGURATION="${CONFIGURATION:-Release}"
REDIS_SERVER="${REDIS_SERVER:-redis-server}"
ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
PROJECT="$ROOT/samples/Throttle.Samples.GatherStats"
DLL="$PROJECT/bin/$CONFIGURATION/net10.0/Throttle.Samples.GatherStats.dll"

for tool in dotnet curl "$REDIS_SERVER"; do
  command -v "$tool" >/dev/null 2>&1 || { echo "run-cluster: '$tool' is not installed (or not on PATH)." >&2; exit 1; }
done

WORK="$(mktemp -d)"
PIDS=()
cleanup() {
  local pid
  for pid in "${PIDS[@]}"; do
    kill "$pid" 2>/dev/null || true
  done
  for pid in "${PIDS[@]}"; do
    wait "$pid" 2>/dev/null || true
  done
  rm -rf "$WORK"
}
trap cleanup EXIT
trap 'exit 130' INT TERM

# A port nothing answers on (bash's /dev/tcp: a refused connection means free).
free_port() {
  local port
  while true; do
    port=$(( 20000 + RANDOM % 20000 ))
    if ! (exec 3<>"/dev/tcp/127.0.0.1/$port") 2>/dev/null; then
      echo "$port"
      return
    fi
  done
}

# Waits until a command succeeds, or fails after $1 seconds (and when process $2 has died).
wait_for() {
  local seconds=$1 pid=$2
  shift 2
  local deadline=$(( SECONDS + seconds ))
  until "$@" >/dev/null 2>&1; do
    if ! kill -0 "$pid" 2>/dev/null; then
      return 1
    fi
    if (( SECONDS >= deadline )); then
      return 1
    fi
    sleep 0.2
  done
}

redis_ping() {
  exec 3<>"/dev/tcp/127.0.0.1/$1" || return 1
  printf 'PING\r\n' >&3
  local reply
  read -r -t 2 reply <&3 || { exec 3>&-; return 1; }
  exec 3>&-
  [[ "$reply" == +PONG* ]]
}

json_number() { # json_number FIELD FILE: the first "FIELD": <integer> in FILE
  grep -o "\"$1\": *[0-9]*" "$2" | head -n 1 | grep -o '[0-9]*$'
}

json_word() { # json_word FIELD FILE: the first "FIELD": "<word>" in FILE
  grep -o "\"$1\": *\"[A-Za-z]*\"" "$2" | head -n 1 | grep -o '"[A-Za-z]*"$' | tr -d '"'
}

is_leader() { # is_leader PORT: GET /leader answers "is_leader": true
  curl -sf "http://127.0.0.1:$1/leader" | grep -q '"is_leader": *true'
}

now_ms() { date +%s%3N; }

REDIS_PORT=$(free_port)
echo "run-cluster: redis-server on 127.0.0.1:$REDIS_PORT (no persistence)"
"$REDIS_SERVER" --port "$REDIS_PORT" --bind 127.0.0.1 --save "" --appendonly no --daemonize no \
  --dir "$WORK" >"$WORK/redis.log" 2>&1 &
REDIS_PID=$!
PIDS+=("$REDIS_PID")
if ! wait_for 20 "$REDIS_PID" redis_ping "$REDIS_PORT"; then
  echo "run-cluster: redis-server did not start:" >&2
  cat "$WORK/redis.log" >&2
  exit 1
fi

echo "run-cluster: building the sample ($CONFIGURATION)"
dotnet build "$PROJECT" -c "$CONFIGURATION" -m:1 -nologo -v:q >"$WORK/build.log" 2>&1 || {
  cat "$WORK/build.log" >&2
  exit 1
}

PORTS=()
for name in a b; do
  port=$(free_port)
  while [[ " ${PORTS[*]} " == *" $port "* || "$port" == "$REDIS_PORT" ]]; do port=$(free_port); done
  PORTS+=("$port")
  # From the build output, so appsettings.json (the content root's) is found.
  (cd "$(dirname "$DLL")" && exec env THROTTLE_REDIS="127.0.0.1:$REDIS_PORT" dotnet "$DLL" --urls "http://127.0.0.1:$port") >"$WORK/$name.log" 2>&1 &
  PIDS+=("$!")
  echo "run-cluster: instance $name on http://127.0.0.1:$port (pid $!)"
done

for i in 0 1; do
  if ! wait_for 60 "${PIDS[$((i + 1))]}" curl -sf "http://127.0.0.1:${PORTS[$i]}/"; then
    echo "run-cluster: the instance on port ${PORTS[$i]} did not answer:" >&2
    cat "$WORK/$([[ $i == 0 ]] && echo a || echo b).log" >&2
    exit 1
  fi
done

echo "run-cluster: GET /gather_stats?calls=$CALLS on both instances at once"
curl -sf "http://127.0.0.1:${PORTS[0]}/gather_stats?calls=$CALLS" >"$WORK/a.json" &
CURL_A=$!
curl -sf "http://127.0.0.1:${PORTS[1]}/gather_stats?calls=$CALLS" >"$WORK/b.json" &
CURL_B=$!
status=0
wait "$CURL_A" || status=1
wait "$CURL_B" || status=1
if (( status != 0 )); then
  echo "run-cluster: a /gather_stats call failed." >&2
  exit 1
fi

for name in a b; do
  echo "--- instance $name"
  cat "$WORK/$name.json"
  echo
done

LICENCES=$(json_number licences "$WORK/a.json")
MAX_A=$(json_number cluster "$WORK/a.json")
MAX_B=$(json_number cluster "$WORK/b.json")
COMBINED=$(( MAX_A > MAX_B ? MAX_A : MAX_B ))
echo "run-cluster: combined maximum concurrency at the upstream: $COMBINED (licences: $LICENCES; instance a saw $MAX_A, b saw $MAX_B)"
if (( COMBINED > LICENCES )); then
  echo "run-cluster: FAIL: the upstream served more callers at once than it has licences." >&2
  exit 1
fi
echo "run-cluster: OK: never above $LICENCES."

# The shared circuit breaker (5 upstream failures in a row open it for 5 s, UpstreamClient.cs): only instance a's
# upstream fails; instance b learns of the open breaker from Redis (announced on a channel), not from failures.
echo "run-cluster: GET /gather_stats?calls=10&fail=1 on instance a (its upstream fails every call) until its breaker opens"
STATE_A=Closed
for attempt in 1 2 3; do
  curl -sf "http://127.0.0.1:${PORTS[0]}/gather_stats?calls=10&fail=1" >"$WORK/breaker-a.json" || { echo "run-cluster: a /gather_stats call failed." >&2; exit 1; }
  STATE_A=$(json_word breaker_state "$WORK/breaker-a.json")
  [[ "$STATE_A" == Open ]] && break
done
echo "--- instance a"
cat "$WORK/breaker-a.json"
echo
if [[ "$STATE_A" != Open ]]; then
  echo "run-cluster: FAIL: instance a's breaker is $STATE_A after its upstream failed." >&2
  exit 1
fi
OPENED_AT=$(now_ms)
# Bounded: within the 5 s break, b must report Open (a call that arrives before the announcement still runs, and succeeds).
STATE_B=Closed
FAILED_B=0
while (( $(now_ms) - OPENED_AT < 4000 )); do
  curl -sf "http://127.0.0.1:${PORTS[1]}/gather_stats?calls=3" >"$WORK/breaker-b.json" || { echo "run-cluster: a /gather_stats call failed." >&2; exit 1; }
  FAILED_B=$(( FAILED_B + $(json_number failed "$WORK/breaker-b.json") ))
  STATE_B=$(json_word breaker_state "$WORK/breaker-b.json")
  [[ "$STATE_B" == Open ]] && break
  sleep 0.05
done
TOOK_B=$(( $(now_ms) - OPENED_AT ))
echo "--- instance b (GET /gather_stats?calls=3, no fail)"
cat "$WORK/breaker-b.json"
echo
if [[ "$STATE_B" != Open ]]; then
  echo "run-cluster: FAIL: instance b's breaker is $STATE_B ${TOOK_B} ms after instance a's opened." >&2
  exit 1
fi
if (( FAILED_B != 0 )); then
  echo "run-cluster: FAIL: instance b saw $FAILED_B failures of its own." >&2
  exit 1
fi
echo "run-cluster: OK: instance b reports its breaker Open (calls rejected, no failure of its own), asked ${TOOK_B} ms after a's answer."

# The leader-only licence report: exactly one instance leads.
NAMES=(a b)
LEADER=-1
for attempt in $(seq 1 100); do
  for i in 0 1; do
    if is_leader "${PORTS[$i]}"; then LEADER=$i; fi
  done
  (( LEADER >= 0 )) && break
  sleep 0.1
done
if (( LEADER < 0 )); then
  echo "run-cluster: FAIL: no instance leads the licence report." >&2
  exit 1
fi
FOLLOWER=$(( 1 - LEADER ))
for i in 0 1; do
  curl -sf "http://127.0.0.1:${PORTS[$i]}/leader" >"$WORK/leader-${NAMES[$i]}.json"
  echo "--- GET /leader on instance ${NAMES[$i]}"
  cat "$WORK/leader-${NAMES[$i]}.json"
  echo
done
if is_leader "${PORTS[$FOLLOWER]}"; then
  echo "run-cluster: FAIL: both instances say they lead." >&2
  exit 1
fi
OLD_TOKEN=$(json_number fencing_token "$WORK/leader-${NAMES[$LEADER]}.json")
echo "run-cluster: instance ${NAMES[$LEADER]} leads (fencing token $OLD_TOKEN); kill -9 of it (no release: its lease runs out by its TTL)"
KILLED_AT=$(now_ms)
kill -9 "${PIDS[$((LEADER + 1))]}"
wait "${PIDS[$((LEADER + 1))]}" 2>/dev/null || true
if ! wait_for 60 "${PIDS[$((FOLLOWER + 1))]}" is_leader "${PORTS[$FOLLOWER]}"; then
  echo "run-cluster: FAIL: instance ${NAMES[$FOLLOWER]} did not take over." >&2
  cat "$WORK/${NAMES[$FOLLOWER]}.log" >&2
  exit 1
fi
TOOK=$(( $(now_ms) - KILLED_AT ))
curl -sf "http://127.0.0.1:${PORTS[$FOLLOWER]}/leader" >"$WORK/leader-after.json"
NEW_TOKEN=$(json_number fencing_token "$WORK/leader-after.json")
echo "--- GET /leader on instance ${NAMES[$FOLLOWER]}"
cat "$WORK/leader-after.json"
echo
if (( NEW_TOKEN <= OLD_TOKEN )); then
  echo "run-cluster: FAIL: the new term's fencing token $NEW_TOKEN is not above $OLD_TOKEN." >&2
  exit 1
fi
echo "run-cluster: OK: instance ${NAMES[$FOLLOWER]} took over ${TOOK} ms after the kill (fencing token $OLD_TOKEN -> $NEW_TOKEN; TTL and retry interval in appsettings.json, GatherStats:Leadership)."
