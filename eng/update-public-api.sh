#!/usr/bin/env bash
# Adds new public symbols to each shipped project's PublicAPI.Unshipped.txt (the PublicApiAnalyzers code fix),
# then removes entries for symbols that no longer exist. Review the diff: it is the public API change.
set -euo pipefail
cd "$(dirname "$0")/.."
for project in src/Throttle.Attributes/Throttle.Attributes.csproj src/Throttle.Runtime/Throttle.Runtime.csproj; do
  dotnet format analyzers "$project" --diagnostics RS0016 RS0017 RS0037 --severity info --verbosity quiet || true
done
