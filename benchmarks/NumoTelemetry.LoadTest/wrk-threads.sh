#!/usr/bin/env bash
# End-to-end CPU per request under a saturating wrk, split by server thread (Linux only: reads /proc).
# The .NET load test (`dotnet run -c Release --project benchmarks/NumoTelemetry.LoadTest -- run`) shares the two cores
# with its own client; wrk costs far less, so this split is steadier.
#
#   benchmarks/NumoTelemetry.LoadTest/wrk-threads.sh [--rounds 3] [--seconds 8] [--modes "bare numo httplogging otel"] [--clients 0]
#                                                    [--warmup SECONDS (default: seconds / 2 + 2)] [--pace MS]
#
# --clients 0 (the default): every request from one client (one address, cookie pair and browser), so that every cache
# hits. --clients N: requests from N distinct clients through many-clients.lua (each its own forwarded address, session
# and visitor cookies, one of 40 browsers; see that file), as on a real site; wrk-many-clients.sh runs this with 200,000.
# --pace MS (with --clients N): each connection waits MS milliseconds after each response, so every mode serves about
# the same steady rate below saturation (16 connections, 2 ms: a few thousand requests a second), as a site that is not
# at full load; without it, wrk sends as fast as each server answers.
#
# Needs wrk (Debian: apt-get install wrk). The modes are interleaved within each round, one server process per run, each
# warmed up first with the same traffic. Prints, per mode and round, the load average at the start of the run and the
# user and kernel CPU per request of each server thread group: request threads (".NET TP Worker"), NumoTelemetry's
# pipeline thread, the garbage collector's threads (server GC: ".NET Server GC", ".NET BGC") and the rest (sockets,
# JIT, timers); the managed bytes the server allocated per request; then wrk's own CPU per request (its Lua included)
# and the requests per second.
# Then the medians over the rounds, their ranges and each mode's ratio to bare.
#
# Besides the four modes, the server has numo-* modes with one part of NumoTelemetry off, so that differences between
# modes measure what each part costs: numo-nofraud (fraud detection off), numo-nolog (the request-log file off),
# numo-capture (both off: the capture and its metrics) and numo-nometrics (no metrics listener), e.g.
# --modes "bare numo numo-nofraud numo-nolog numo-capture".
set -euo pipefail
rounds=3; seconds=8; modes="bare numo httplogging otel"; clients=0; warmup=; pace=0
while [ $# -gt 0 ]; do
  case "$1" in
    --rounds) rounds=$2; shift 2 ;;
    --seconds) seconds=$2; shift 2 ;;
    --modes) modes=$2; shift 2 ;;
    --clients) clients=$2; shift 2 ;;
    --warmup) warmup=$2; shift 2 ;;
    --pace) pace=$2; shift 2 ;;
    *) echo "unknown option $1" >&2; exit 2 ;;
  esac
done
command -v wrk >/dev/null || { echo "wrk is not installed (Debian: apt-get install wrk)" >&2; exit 2; }
[ -d /proc/self/task ] || { echo "needs Linux /proc" >&2; exit 2; }
[[ "$clients" =~ ^[0-9]+$ ]] || { echo "--clients takes a number (0: one client)" >&2; exit 2; }
[[ "$pace" =~ ^[0-9]+$ ]] || { echo "--pace takes a whole number of milliseconds" >&2; exit 2; }
[ "$pace" -eq 0 ] || [ "$clients" -gt 0 ] || { echo "--pace needs --clients N (it is many-clients.lua's)" >&2; exit 2; }
warmup=${warmup:-$(( seconds / 2 + 2 ))}

here=$(cd "$(dirname "$0")" && pwd)
dotnet build -c Release "$here" -v q -nologo >/dev/null
dll="$here/bin/Release/net10.0/NumoTelemetry.LoadTest.dll"
work=$(mktemp -d); trap 'rm -rf "$work"' EXIT
ticks=$(getconf CLK_TCK)
TIMEFORMAT='%U %S'

# The wrk arguments of a run: one client's fixed headers, or many-clients.lua with a seed (the same seed for every mode
# of a round, so each mode gets the same requests in the same order).
traffic() {
  if [ "$clients" -eq 0 ]; then
    printf '%s\0' -H 'User-Agent: Mozilla/5.0 (X11; Linux x86_64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/120.0.0.0 Safari/537.36' \
      -H 'X-Forwarded-For: 198.51.100.23' -H 'Cookie: .AspNetCore.Session=CfDJ8Abc; numo_vid=Xy12' -H 'Accept-Language: en-GB' \
      "http://127.0.0.1:$1/"
  else
    printf '%s\0' -s "$here/many-clients.lua" "http://127.0.0.1:$1/" -- "$clients" "$2" "$pace"
  fi
}

# "tid group utime stime" for every thread of $1 (the command name is in parentheses and may contain spaces).
snapshot() {
  for t in /proc/"$1"/task/*; do
    printf '%s %s %s\n' "$(basename "$t")" "$(tr ' ' _ < "$t/comm")" "$(sed 's/.*) //' "$t/stat" | awk '{print $12, $13}')"
  done
}

echo "clients: $([ "$clients" -eq 0 ] && echo "one" || echo "$clients")$([ "$pace" -eq 0 ] || echo "; paced: each connection waits ${pace} ms after each response"); ${warmup}s warm-up and ${seconds}s per run; µs of CPU per request"
for round in $(seq 1 "$rounds"); do
  for mode in $modes; do
    port=$(( 20000 + RANDOM % 20000 ))
    DOTNET_ThreadPool_UnfairSemaphoreSpinLimit=0 dotnet "$dll" server --mode "$mode" --port "$port" >/dev/null 2>&1 &
    pid=$!
    for _ in $(seq 1 100); do curl -sf "http://127.0.0.1:$port/__stats" >/dev/null 2>&1 && break; sleep 0.1; done
    mapfile -d '' -t warm < <(traffic "$port" $(( 2 * round )))
    wrk -t1 -c16 -d"${warmup}s" "${warm[@]}" >/dev/null   # warm-up
    mapfile -d '' -t run < <(traffic "$port" $(( 2 * round + 1 )))
    load=$(cut -d' ' -f1 /proc/loadavg)
    allocated_before=$(curl -sf "http://127.0.0.1:$port/__stats" | cut -d' ' -f2)
    snapshot "$pid" > "$work/before"
    { time wrk -t1 -c16 -d"${seconds}s" "${run[@]}" > "$work/wrk"; } 2> "$work/wrk-time"
    snapshot "$pid" > "$work/after"
    allocated_after=$(curl -sf "http://127.0.0.1:$port/__stats" | cut -d' ' -f2)
    kill "$pid"; wait "$pid" 2>/dev/null || true
    requests=$(grep -oP '\d+(?= requests in)' "$work/wrk")
    grep -q 'Non-2xx' "$work/wrk" && echo "warning: $mode answered some requests with a non-2xx status" >&2
    read -r wrk_user wrk_sys < <(tail -n1 "$work/wrk-time")
    # One line per run: mode round load total user kernel request-threads request-threads-user pipeline gc other wrk req/s
    # allocated-bytes. The allocated bytes are "nan" when the runtime's total went backwards: under Server GC with DATAS
    # (the default) GC.GetTotalAllocatedBytes leaves out heaps decommissioned during the run (dotnet/runtime#131069).
    awk -v req="$requests" -v hz="$ticks" -v mode="$mode" -v round="$round" -v load="$load" -v secs="$seconds" \
        -v wrk="$wrk_user $wrk_sys" -v allocated=$(( allocated_after - allocated_before )) '
      NR == FNR { u[$1] = $3; s[$1] = $4; next }
      { du = $3 - u[$1]; ds = $4 - s[$1]; if (du + ds > 0) { U[$2] += du; S[$2] += ds } }
      END {
        for (g in U) { tu += U[g]; ts += S[g] }
        f = 1e6 / hz / req
        split(wrk, w, " ")
        rt = (U[".NET_TP_Worker"] + S[".NET_TP_Worker"]) * f
        pt = (U["NumoTelemetry_p"] + S["NumoTelemetry_p"]) * f
        for (g in U) if (g ~ /GC/) gc += (U[g] + S[g]) * f
        printf "%s %d %s %.2f %.2f %.2f %.2f %.2f %.2f %.2f %.2f %.2f %.0f %.0f\n", mode, round, load, (tu + ts) * f, tu * f, ts * f,
          rt, U[".NET_TP_Worker"] * f, pt, gc, (tu + ts) * f - rt - pt - gc, (w[1] + w[2]) * 1e6 / req, req / secs, allocated
      }' "$work/before" "$work/after" | awk -v req="$requests" '{ $14 = ($14 < 0 ? "nan" : sprintf("%.0f", $14 / req)); print }' >> "$work/results"
    tail -n1 "$work/results" | awk '{ printf "%-12s round %d  load %5s  total %6.2f us/req (user %5.2f, kernel %5.2f)  request threads %5.2f (user %5.2f)  pipeline thread %5.2f  GC %5.2f  other %5.2f  %5s B/req  |  wrk %5.2f  %6.0f req/s\n", $1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $14, $12, $13 }'
  done
done

echo
echo "medians over $rounds rounds (µs of server CPU per request; ranges in brackets; ratio of totals to bare):"
awk '$1 == "bare" { b[++n] = $4 }
  function median(a, n,   i, j, x) { for (i = 2; i <= n; i++) { x = a[i]; for (j = i - 1; j > 0 && a[j] > x; j--) a[j + 1] = a[j]; a[j + 1] = x } return a[int((n + 1) / 2)] }
  END { print (n ? median(b, n) : 0) }' "$work/results" > "$work/bare"
for mode in $modes; do
  grep "^$mode " "$work/results" | awk -v mode="$mode" -v bare="$(cat "$work/bare")" '
    { t[NR] = $4; lo = (NR == 1 || $4 < lo) ? $4 : lo; hi = (NR == 1 || $4 > hi) ? $4 : hi
      plo = (NR == 1 || $9 < plo) ? $9 : plo; phi = (NR == 1 || $9 > phi) ? $9 : phi
      u[NR] = $5; r[NR] = $7; ru[NR] = $8; p[NR] = $9; g[NR] = $10; o[NR] = $11; w[NR] = $12; q[NR] = $13; if ($14 != "nan") a[++na] = $14 }
    function median(a, n,   i, j, x) { for (i = 2; i <= n; i++) { x = a[i]; for (j = i - 1; j > 0 && a[j] > x; j--) a[j + 1] = a[j]; a[j + 1] = x } return a[int((n + 1) / 2)] }
    END {
      m = median(t, NR)
      printf "%-12s total %6.2f [%6.2f-%6.2f]  %s  user %5.2f  request threads %5.2f (user %5.2f)  pipeline thread %5.2f [%5.2f-%5.2f]  GC %5.2f  other %5.2f  %5s B/req  |  wrk %5.2f  %6.0f req/s\n",
        mode, m, lo, hi, (bare > 0 ? sprintf("%4.2f x bare", m / bare) : "           "), median(u, NR), median(r, NR), median(ru, NR), median(p, NR), plo, phi, median(g, NR), median(o, NR), (na ? median(a, na) : "nan"), median(w, NR), median(q, NR)
    }'
done
