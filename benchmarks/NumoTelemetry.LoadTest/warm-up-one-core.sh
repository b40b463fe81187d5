#!/usr/bin/env bash
# A server's first minute under full load on one core: the load server pinned to CPU 1 and wrk to CPU 0, then
# consecutive runs of the many-clients traffic, each printing the server's CPU per request (all its threads, the JIT's
# included) and the methods the JIT compiled during it. Shows how long a freshly started server runs before the JIT's
# optimised code, and what that costs.
#
#   benchmarks/NumoTelemetry.LoadTest/warm-up-one-core.sh [--mode numo] [--runs 9] [--seconds 10] [--clients 200000]
#                                                         [--dll PATH (default: the Release build; e.g. a ReadyToRun publish)]
#
# A ReadyToRun build to compare with:
#   dotnet publish benchmarks/NumoTelemetry.LoadTest -c Release -r linux-x64 --self-contained false -p:PublishReadyToRun=true -o /tmp/numo-r2r
#   benchmarks/NumoTelemetry.LoadTest/warm-up-one-core.sh --dll /tmp/numo-r2r/NumoTelemetry.LoadTest.dll
#
# Needs wrk (Debian: apt-get install wrk), taskset (util-linux), two CPUs and Linux /proc. Traffic only goes to 127.0.0.1.
set -euo pipefail
mode=numo; runs=9; seconds=10; clients=200000; dll=
while [ $# -gt 0 ]; do
  case "$1" in
    --mode) mode=$2; shift 2 ;;
    --runs) runs=$2; shift 2 ;;
    --seconds) seconds=$2; shift 2 ;;
    --clients) clients=$2; shift 2 ;;
    --dll) dll=$2; shift 2 ;;
    *) echo "unknown option $1" >&2; exit 2 ;;
  esac
done
command -v wrk >/dev/null || { echo "wrk is not installed (Debian: apt-get install wrk)" >&2; exit 2; }
command -v taskset >/dev/null || { echo "taskset is not installed (Debian: apt-get install util-linux)" >&2; exit 2; }
[ "$(nproc)" -ge 2 ] || { echo "needs two CPUs: one for the server, one for wrk" >&2; exit 2; }

here=$(cd "$(dirname "$0")" && pwd)
if [ -z "$dll" ]; then
  dotnet build -c Release "$here" -v q -nologo >/dev/null
  dll="$here/bin/Release/net10.0/NumoTelemetry.LoadTest.dll"
fi
ticks=$(getconf CLK_TCK)
port=$(( 20000 + RANDOM % 20000 ))
DOTNET_ThreadPool_UnfairSemaphoreSpinLimit=0 taskset -c 1 dotnet "$dll" server --mode "$mode" --port "$port" >/dev/null 2>&1 &
pid=$!
trap 'kill "$pid" 2>/dev/null || true' EXIT
for _ in $(seq 1 100); do curl -sf "http://127.0.0.1:$port/__stats" >/dev/null 2>&1 && break; sleep 0.1; done
curl -sf "http://127.0.0.1:$port/__stats" >/dev/null 2>&1 || { echo "the load server did not start: dotnet $dll server --mode $mode" >&2; exit 1; }

cpu() { awk '{ print $14 + $15 }' "/proc/$pid/stat"; }       # utime + stime of every thread, in ticks
jitted() { curl -sf "http://127.0.0.1:$port/__stats" | cut -d' ' -f3; }

echo "$mode on one core, $clients clients, ${seconds}s runs from the server's start"
for run in $(seq 1 "$runs"); do
  before=$(cpu); jit_before=$(jitted)
  requests=$(taskset -c 0 wrk -t1 -c16 -d"${seconds}s" -s "$here/many-clients.lua" "http://127.0.0.1:$port/" -- "$clients" "$run" \
    | grep -oP '\d+(?= requests in)' || true)
  after=$(cpu); jit_after=$(jitted)
  [ -n "$requests" ] && [ "$requests" -gt 0 ] || { echo "run $run: wrk completed no request (is the server up?)" >&2; exit 1; }
  awk -v run="$run" -v s="$seconds" -v a="$after" -v b="$before" -v n="$requests" -v hz="$ticks" -v jit=$(( jit_after - jit_before )) \
    'BEGIN { printf "run %d (%3d-%3d s): %6.2f us/req  %6.0f req/s  %5d methods compiled\n", run, (run - 1) * s, run * s, (a - b) / hz * 1e6 / n, n / s, jit }'
done
