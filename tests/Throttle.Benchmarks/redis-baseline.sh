#!/usr/bin/env bash
# Redis token bucket throughput: Throttle's acquire (BenchmarkDotNet, RedisTokenBucketBenchmarks) against redis-benchmark
# running EVALSHA of the very same Lua script on the same server, with 1 and with 64 operations in flight.
# Also checks that one acquire is one round trip: the server's EVALSHA count equals the operations the benchmarks ran.
#
# --scripts: only redis-benchmark, the token bucket acquire script as shipped at 5a70984 (the baseline of issue 15,
# item 4), at bdeb218 and today's, side by side in interleaved rounds: ops/s, server µs per call (commandstats) and
# the server's CPU per call, with each one's ratio to the 5a70984 script. Then the sliding window acquire script as
# shipped at 8415d9e against today's, each in a steady window (one second, warmed for one), with 1 in flight and with
# 8 connections x 16 pipelined: the same figures, with ratios to 8415d9e.
#
# Usage: tests/Throttle.Benchmarks/redis-baseline.sh [--job short|dry|default]   (default: short)
#        tests/Throttle.Benchmarks/redis-baseline.sh --scripts [rounds]        (default: 5; REDIS_BASELINE_REQUESTS per round)
set -euo pipefail
cd "$(dirname "$0")/../.."
job="short"
mode="bdn"
rounds=5
if [[ "${1:-}" == "--job" ]]; then job="${2:-short}"; fi
if [[ "${1:-}" == "--scripts" ]]; then mode="scripts"; rounds="${2:-5}"; fi
requests="${REDIS_BASELINE_REQUESTS:-200000}"

port=$(python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1]); s.close()')
workdir=$(mktemp -d)
redis-server --port "$port" --bind 127.0.0.1 --save '' --appendonly no --dir "$workdir" --daemonize no >"$workdir/redis.log" 2>&1 &
server_pid=$!
trap 'kill "$server_pid" 2>/dev/null || true; rm -rf "$workdir"' EXIT
cli=(redis-cli -h 127.0.0.1 -p "$port")
for _ in $(seq 1 100); do "${cli[@]}" ping >/dev/null 2>&1 && break; sleep 0.1; done

# The acquire script exactly as RedisScripts.cs builds it: RedisScript.Load's preludes, then the script, @names bound.
python3 - "$workdir/acquire.lua" <<'PY'
import re, sys
scripts = "src/Throttle.Runtime/Storage/Redis/Scripts/"
keys, args = ["bucket"], ["capacity", "rate", "tokens", "count"]
def bind(match):
    name = match.group(1)
    return f"KEYS[{keys.index(name) + 1}]" if name in keys else f"ARGV[{args.index(name) + 1}]"
source = "".join(open(scripts + name + ".lua", encoding="utf-8").read() for name in ["token-bucket-common", "token-bucket-acquire"])
open(sys.argv[1], "w", encoding="utf-8", newline="").write(re.sub(r"@([a-z][A-Za-z]*)", bind, source))
PY
sha=$("${cli[@]}" script load "$(cat "$workdir/acquire.lua")")
echo "Redis $(redis-server --version | awk '{print $3}') on 127.0.0.1:$port, acquire script SHA $sha"

if [[ "$mode" == "scripts" ]]; then
  # One redis-benchmark per script and round, interleaved; 8 connections x 16 pipelined keep the server busy.
  python3 - "$port" "$rounds" "$requests" "$workdir/acquire.lua" <<'PY'
import statistics, subprocess, sys
port, rounds, requests, today = sys.argv[1], int(sys.argv[2]), int(sys.argv[3]), sys.argv[4]
here = "tests/Throttle.Benchmarks/Scripts/"
scripts = [("5a70984 (hash)", here + "token-bucket-acquire.5a70984.lua"), ("bdeb218 (text string)", here + "token-bucket-acquire.bdeb218.lua"), ("today", today)]
def cli(*args): return subprocess.run(["redis-cli", "-p", port, *args], capture_output=True, text=True, check=True).stdout
def info(section): return dict(line.strip().split(":", 1) for line in cli("info", section).splitlines() if ":" in line)
def cpu(): return sum(float(info("cpu")[k]) for k in ("used_cpu_user", "used_cpu_sys"))
shas = [cli("script", "load", open(path, encoding="utf-8").read()).strip() for _, path in scripts]
results = {name: [] for name, _ in scripts}
for round in range(rounds):
    for (name, _), sha in zip(scripts, shas):
        cli("config", "resetstat")
        before = cpu()
        out = subprocess.run(["redis-benchmark", "-p", port, "-n", str(requests), "-c", "8", "-P", "16", "--csv", "evalsha", sha, "1",
                              "throttle-baseline:{" + name.split()[0] + "}:tb", "1000000000", "1000000000", "1"], capture_output=True, text=True, check=True).stdout
        rps = float(out.strip().splitlines()[-1].split(",")[1].strip('"'))
        server_cpu = (cpu() - before) / requests * 1e6
        stats = info("commandstats")
        micros = float(stats["cmdstat_evalsha"].split("usec_per_call=")[1].split(",")[0])
        commands = sum(int(v.split("calls=")[1].split(",")[0]) for k, v in stats.items() if not k.startswith(("cmdstat_info", "cmdstat_config")))
        results[name].append((rps, micros, server_cpu, commands / requests))
        print(f"  round {round + 1}  {name:22} {rps:10,.0f} ops/s  {micros:6.2f} µs/call  {server_cpu:6.2f} µs server CPU/call  {commands / requests:.2f} commands/call", flush=True)
base = [statistics.median(r[i] for r in results[scripts[0][0]]) for i in range(3)]
load = open("/proc/loadavg").read().split()[:3]
print(f"Medians of {rounds} rounds of {requests:,} EVALSHA (load average {' '.join(load)} at the end):")
for name, _ in scripts:
    rps, micros, server_cpu = (statistics.median(r[i] for r in results[name]) for i in range(3))
    print(f"  {name:22} {rps:10,.0f} ops/s ({rps / base[0]:.2f}x)  {micros:6.2f} µs/call ({base[1] / micros:.2f}x less)  "
          f"{server_cpu:6.2f} µs CPU/call ({base[2] / server_cpu:.2f}x less)  {results[name][0][3]:.2f} commands/call")
PY

  # The sliding window: today's acquire bound as RedisScripts.cs binds it, against the 8415d9e script (which also takes
  # a member id: unique per call, as the backend made them).
  python3 - "$workdir/window.lua" <<'PY'
import re, sys
scripts = "src/Throttle.Runtime/Storage/Redis/Scripts/"
keys, args = ["log", "state"], ["capacity", "window", "tokens", "count"]
def bind(match):
    name = match.group(1)
    return f"KEYS[{keys.index(name) + 1}]" if name in keys else f"ARGV[{args.index(name) + 1}]"
source = "".join(open(scripts + name + ".lua", encoding="utf-8").read() for name in ["sliding-window-common", "sliding-window-admit", "sliding-window-acquire"])
open(sys.argv[1], "w", encoding="utf-8", newline="").write(re.sub(r"@([a-z][A-Za-z]*)", bind, source))
PY
  python3 - "$port" "$rounds" "$requests" "$workdir/window.lua" <<'PY'
import statistics, subprocess, sys
port, rounds, requests, today = sys.argv[1], int(sys.argv[2]), int(sys.argv[3]), sys.argv[4]
here = "tests/Throttle.Benchmarks/Scripts/"
scripts = [("8415d9e (sorted set)", here + "sliding-window-acquire.8415d9e.lua", ["A1B2C3D4E5F60718:__rand_int__"]), ("today", today, [])]
def cli(*args): return subprocess.run(["redis-cli", "-p", port, *args], capture_output=True, text=True, check=True).stdout
def info(section): return dict(line.strip().split(":", 1) for line in cli("info", section).splitlines() if ":" in line)
def cpu(): return sum(float(info("cpu")[k]) for k in ("used_cpu_user", "used_cpu_sys"))
shas = [cli("script", "load", open(path, encoding="utf-8").read()).strip() for _, path, _ in scripts]
modes = [("1 in flight", ["-c", "1", "-P", "1"], max(2000, requests // 10)), ("8 x 16 pipelined", ["-c", "8", "-P", "16"], requests)]
for mode, flags, count in modes:
    results = {name: [] for name, _, _ in scripts}
    for round in range(rounds):
        for (name, _, extra), sha in zip(scripts, shas):
            cli("flushall")
            command = ["evalsha", sha, "2", "throttle-baseline:{sw}:log", "throttle-baseline:{sw}:state", "10000000", "1000000", "1", *extra]
            bench = ["redis-benchmark", "-p", port, *flags, "-r", "2000000000", "--csv"]
            # A window's worth first (a second at least), so requests leave it as they arrive.
            subprocess.run(bench + ["-n", str(count)] + command, capture_output=True, text=True, check=True)
            cli("config", "resetstat")
            before = cpu()
            out = subprocess.run(bench + ["-n", str(count)] + command, capture_output=True, text=True, check=True).stdout
            rps = float(out.strip().splitlines()[-1].split(",")[1].strip('"'))
            server_cpu = (cpu() - before) / count * 1e6
            stats = info("commandstats")
            micros = float(stats["cmdstat_evalsha"].split("usec_per_call=")[1].split(",")[0])
            commands = sum(int(v.split("calls=")[1].split(",")[0]) for k, v in stats.items() if not k.startswith(("cmdstat_info", "cmdstat_config", "cmdstat_flushall")))
            results[name].append((rps, micros, server_cpu, commands / count))
            print(f"  sliding window, {mode}, round {round + 1}  {name:22} {rps:10,.0f} ops/s  {micros:6.2f} µs/call  {server_cpu:6.2f} µs server CPU/call  {commands / count:.2f} commands/call", flush=True)
    base = [statistics.median(r[i] for r in results[scripts[0][0]]) for i in range(3)]
    load = open("/proc/loadavg").read().split()[:3]
    print(f"Sliding window, {mode}: medians of {rounds} rounds of {count:,} EVALSHA (load average {' '.join(load)} at the end):")
    for name, _, _ in scripts:
        rps, micros, server_cpu, commands = (statistics.median(r[i] for r in results[name]) for i in range(4))
        print(f"  {name:22} {rps:10,.0f} ops/s ({rps / base[0]:.2f}x)  {micros:6.2f} µs/call ({base[1] / micros:.2f}x less)  "
              f"{server_cpu:6.2f} µs CPU/call ({base[2] / server_cpu:.2f}x less)  {commands:.2f} commands/call")
PY
  exit 0
fi

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
