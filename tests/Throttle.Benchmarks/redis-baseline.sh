#!/usr/bin/env bash
# Redis token bucket throughput: Throttle's acquire (BenchmarkDotNet, RedisTokenBucketBenchmarks) against redis-benchmark
# running EVALSHA of the very same Lua script on the same server, with 1 and with 64 operations in flight.
# Also checks that one acquire is one round trip: the server's EVALSHA count equals the operations the benchmarks ran.
#
# Usage: tests/Throttle.Benchmarks/redis-baseline.sh [--job short|dry|default]   (default: short)
set -euo pipefail
cd "$(dirname "$0")/../.."
job="short"
if [[ "${1:-}" == "--job" ]]; then job="${2:-short}"; fi
requests="${REDIS_BASELINE_REQUESTS:-200000}"

port=$(python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1]); s.close()')
workdir=$(mktemp -d)
redis-server --port "$port" --bind 127.0.0.1 --save '' --appendonly no --dir "$workdir" --daemonize no >"$workdir/redis.log" 2>&1 &
server_pid=$!
trap 'kill "$server_pid" 2>/dev/null || true; rm -rf "$workdir"' EXIT
cli=(redis-cli -h 127.0.0.1 -p "$port")
for _ in $(seq 1 100); do "${cli[@]}" ping >/dev/null 2>&1 && break; sleep 0.1; done

# The acquire script exactly as RedisScripts.cs builds it (C# raw strings: indentation of the closing quotes removed).
python3 - "$workdir/acquire.lua" <<'PY'
import re, sys
source = open("src/Throttle.Runtime/Storage/Redis/RedisScripts.cs", encoding="utf-8").read()
def raw(name):
    m = re.search(r'const string ' + name + r' = (?:\w+ \+ )?"""\n(.*?)\n( *)""";', source, re.S)
    body, indent = m.group(1), len(m.group(2))
    return "\n".join(line[indent:] for line in body.split("\n"))
open(sys.argv[1], "w", encoding="utf-8", newline="").write(raw("Common") + raw("TokenBucketAcquire"))
PY
sha=$("${cli[@]}" script load "$(cat "$workdir/acquire.lua")")
echo "Redis $(redis-server --version | awk '{print $3}') on 127.0.0.1:$port, acquire script SHA $sha"

key='throttle-baseline:{raw:key}:tb'
bench() { # $1 = label, rest = redis-benchmark flags
  local label=$1; shift
  local rps
  rps=$(redis-benchmark -h 127.0.0.1 -p "$port" -n "$requests" "$@" --csv \
        evalsha "$sha" 1 "$key" 1000000000000 1000000000000 1 | tail -1 | cut -d, -f2 | tr -d '"')
  printf '  %-44s %12s ops/s\n' "$label" "$rps"
}
echo "redis-benchmark, EVALSHA of the same script ($requests requests each):"
bench "1 in flight (-c 1 -P 1)" -c 1 -P 1
bench "64 in flight, one connection (-c 1 -P 64)" -c 1 -P 64
bench "64 in flight, 64 connections (-c 64 -P 1)" -c 64 -P 1

"${cli[@]}" config resetstat >/dev/null
"${cli[@]}" del throttle-bench:ops throttle-bench:sha >/dev/null
echo "BenchmarkDotNet (--job $job):"
THROTTLE_REDIS="127.0.0.1:$port" dotnet run -c Release --project tests/Throttle.Benchmarks -- \
  --filter '*RedisTokenBucket*' --job "$job" --artifacts "$workdir/bdn" >"$workdir/bdn.log" 2>&1 || { cat "$workdir/bdn.log"; exit 1; }
sed -n '/^| /p' "$workdir"/bdn/results/*RedisTokenBucket*-report-github.md
echo "  (ops/s = 1e9 / Mean in ns; Mean is per acquire thanks to OperationsPerInvoke)"

bench_sha=$("${cli[@]}" get throttle-bench:sha)
[[ "$bench_sha" == "$sha" ]] && echo "Same script: yes ($sha)" || echo "Same script: NO (benchmark ran $bench_sha)"
ops=$("${cli[@]}" get throttle-bench:ops)
stats=$("${cli[@]}" info commandstats | tr -d '\r')
calls() { echo "$stats" | sed -n "s/^cmdstat_$1:calls=\([0-9]*\).*/\1/p" | head -1; }
evalsha=$(calls evalsha); eval_=$(calls eval); script=$(calls script)
# Every script call counts once (EVALSHA, or EVAL the first time a benchmark process sends the script).
echo "Round trips: ${ops:-0} script calls made by the benchmark processes (setup included);" \
     "the server saw EVALSHA=${evalsha:-0} + EVAL=${eval_:-0} (first call per process) + SCRIPT=${script:-0}" \
     "-> $(python3 -c "print(f'{(${evalsha:-0} + ${eval_:-0}) / max(1, ${ops:-0}):.4f}')") script calls per operation"
