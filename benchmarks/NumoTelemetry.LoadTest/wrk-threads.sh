#!/usr/bin/env bash
# End-to-end CPU per request under a saturating wrk, split by server thread (Linux only: reads /proc).
# The .NET load test (`dotnet run -c Release --project benchmarks/NumoTelemetry.LoadTest -- run`) shares the two cores
# with its own client; wrk costs far less, so this split is steadier.
#
#   benchmarks/NumoTelemetry.LoadTest/wrk-threads.sh [--rounds 3] [--seconds 8] [--modes "bare numo httplogging otel"]
#
# Needs wrk (Debian: apt-get install wrk). Prints, per mode and round, user and kernel CPU per request of each thread
# group (request threads ".NET TP Worker", NumoTelemetry's pipeline thread, sockets, JIT), then the medians.
set -euo pipefail
rounds=3; seconds=8; modes="bare numo httplogging otel"
while [ $# -gt 0 ]; do
  case "$1" in
    --rounds) rounds=$2; shift 2 ;;
    --seconds) seconds=$2; shift 2 ;;
    --modes) modes=$2; shift 2 ;;
    *) echo "unknown option $1" >&2; exit 2 ;;
  esac
done
command -v wrk >/dev/null || { echo "wrk is not installed (Debian: apt-get install wrk)" >&2; exit 2; }
[ -d /proc/self/task ] || { echo "needs Linux /proc" >&2; exit 2; }

here=$(cd "$(dirname "$0")" && pwd)
dotnet build -c Release "$here" -v q -nologo >/dev/null
dll="$here/bin/Release/net10.0/NumoTelemetry.LoadTest.dll"
work=$(mktemp -d); trap 'rm -rf "$work"' EXIT
headers=(-H 'User-Agent: Mozilla/5.0 (X11; Linux x86_64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/120.0.0.0 Safari/537.36'
         -H 'X-Forwarded-For: 198.51.100.23' -H 'Cookie: .AspNetCore.Session=CfDJ8Abc; numo_vid=Xy12' -H 'Accept-Language: en-GB')
ticks=$(getconf CLK_TCK)

# "tid group utime stime" for every thread of $1 (the command name is in parentheses and may contain spaces).
snapshot() {
  for t in /proc/"$1"/task/*; do
    printf '%s %s %s\n' "$(basename "$t")" "$(tr ' ' _ < "$t/comm")" "$(sed 's/.*) //' "$t/stat" | awk '{print $12, $13}')"
  done
}

for round in $(seq 1 "$rounds"); do
  for mode in $modes; do
    port=$(( 20000 + RANDOM % 20000 ))
    DOTNET_ThreadPool_UnfairSemaphoreSpinLimit=0 dotnet "$dll" server --mode "$mode" --port "$port" >/dev/null 2>&1 &
    pid=$!
    for _ in $(seq 1 100); do curl -sf "http://127.0.0.1:$port/__stats" >/dev/null 2>&1 && break; sleep 0.1; done
    wrk -t1 -c16 -d"$(( seconds / 2 + 2 ))s" "${headers[@]}" "http://127.0.0.1:$port/" >/dev/null   # warm-up
    snapshot "$pid" > "$work/before"
    requests=$(wrk -t1 -c16 -d"${seconds}s" "${headers[@]}" "http://127.0.0.1:$port/" | grep -oP '\d+(?= requests in)')
    snapshot "$pid" > "$work/after"
    kill "$pid"; wait "$pid" 2>/dev/null || true
    awk -v req="$requests" -v hz="$ticks" -v mode="$mode" -v round="$round" '
      NR == FNR { u[$1] = $3; s[$1] = $4; next }
      { du = $3 - u[$1]; ds = $4 - s[$1]; if (du + ds > 0) { U[$2] += du; S[$2] += ds } }
      END {
        for (g in U) { tu += U[g]; ts += S[g] }
        f = 1e6 / hz / req
        printf "%-12s round %d  total %6.2f us/req (user %5.2f, kernel %5.2f)  request threads user %5.2f  pipeline thread %5.2f\n",
          mode, round, (tu + ts) * f, tu * f, ts * f, U[".NET_TP_Worker"] * f, (U["NumoTelemetry_p"] + S["NumoTelemetry_p"]) * f
      }' "$work/before" "$work/after" | tee -a "$work/results"
  done
done

echo
echo "medians over $rounds rounds (µs of server CPU per request):"
for mode in $modes; do
  grep "^$mode " "$work/results" | awk -v mode="$mode" '
    { t[NR] = $5; u[NR] = $8 + 0; r[NR] = $14; p[NR] = $17 }
    function median(a, n,   i, j, x) { for (i = 2; i <= n; i++) { x = a[i]; for (j = i - 1; j > 0 && a[j] > x; j--) a[j + 1] = a[j]; a[j + 1] = x } return a[int((n + 1) / 2)] }
    END { printf "%-12s total %6.2f  user %5.2f  request threads user %5.2f  pipeline thread %5.2f\n", mode, median(t, NR), median(u, NR), median(r, NR), median(p, NR) }'
done
