#!/usr/bin/env bash
# numo replay throughput with many distinct clients: a JSON-lines log of 1,000,000 lines from 200,000 clients (ReplayLog.cs:
# each client its own address, one per /24, session and visitor cookie; 1 in 50 a login), replayed by the Release build of
# the numo tool a few times; prints each run's summary line (lines/s) and the median.
#
#   benchmarks/NumoTelemetry.LoadTest/replay-many-clients.sh [--lines 1000000] [--clients 200000] [--runs 3]
set -euo pipefail
lines=1000000; clients=200000; runs=3
while [ $# -gt 0 ]; do
  case "$1" in
    --lines) lines=$2; shift 2 ;;
    --clients) clients=$2; shift 2 ;;
    --runs) runs=$2; shift 2 ;;
    *) echo "unknown option $1" >&2; exit 2 ;;
  esac
done
here=$(cd "$(dirname "$0")" && pwd)
root=$(cd "$here/../.." && pwd)
work=$(mktemp -d); trap 'rm -rf "$work"' EXIT
dotnet build -c Release "$here" -v q -nologo >/dev/null
dotnet build -c Release "$root/src/NumoTelemetry.Cli" -v q -nologo >/dev/null
numo="$root/src/NumoTelemetry.Cli/bin/Release/net10.0/numo.dll"
dotnet "$here/bin/Release/net10.0/NumoTelemetry.LoadTest.dll" replay-log --out "$work/log.jsonl" --lines "$lines" --clients "$clients"
dotnet "$numo" keygen --out "$work/key.json" >/dev/null
echo "replaying $lines lines from $clients clients, $runs runs"
rates=()
for run in $(seq 1 "$runs"); do
  summary=$(dotnet "$numo" replay --input "$work/log.jsonl" --key-file "$work/key.json" 2>&1 >/dev/null | grep "lines/s" | tail -1)
  echo "run $run  load $(cut -d' ' -f1 /proc/loadavg)  $summary"
  rates+=("$(sed -E 's/.* ([0-9,]+) lines\/s.*/\1/' <<<"$summary" | tr -d ,)")
done
printf '%s\n' "${rates[@]}" | sort -n | awk '{ a[NR] = $1 } END { printf "median %d lines/s (range %d-%d)\n", a[int((NR + 1) / 2)], a[1], a[NR] }'
