#!/usr/bin/env bash
# The wrk-threads.sh load test with many distinct clients (default 200,000) instead of one: each request from one of
# them through many-clients.lua (own forwarded address, session and visitor cookies, one of 40 browsers), so that
# caches keyed by client miss as on a real site. Same servers, modes, rounds and report as wrk-threads.sh.
#
#   benchmarks/NumoTelemetry.LoadTest/wrk-many-clients.sh [--clients 200000] [--rounds 3] [--seconds 8] [--warmup 12] [--modes "bare numo httplogging otel"]
#
# The warm-up is longer than wrk-threads.sh's: with many clients, new code paths (the fraud state growing, caches
# evicting) keep the JIT busy for longer before the figures settle.
#
# Needs wrk (Debian: apt-get install wrk) and Linux /proc.
set -euo pipefail
exec "$(dirname "$0")/wrk-threads.sh" --clients 200000 --warmup 12 "$@"
