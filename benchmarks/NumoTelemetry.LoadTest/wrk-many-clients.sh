#!/usr/bin/env bash
# The wrk-threads.sh load test with many distinct clients (default 200,000) instead of one: each request from one of
# them through many-clients.lua (own forwarded address, session and visitor cookies, one of 40 browsers), so that
# caches keyed by client miss as on a real site. Same servers, modes, rounds and report as wrk-threads.sh.
#
#   benchmarks/NumoTelemetry.LoadTest/wrk-many-clients.sh [--clients 200000] [--rounds 3] [--seconds 8] [--modes "bare numo httplogging otel"]
#
# Needs wrk (Debian: apt-get install wrk) and Linux /proc.
set -euo pipefail
exec "$(dirname "$0")/wrk-threads.sh" --clients 200000 "$@"
