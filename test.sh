#!/usr/bin/env bash
# Runs every NumoTelemetry test. Does its own set-up: installs what the tests need where it can
# (redis-server, dnsmasq, chromium, prometheus, postgresql-15 from Debian's packages; npm packages for the
# User-Agent parity test) and otherwise says exactly what is missing. Tests whose tool or test
# data is missing are reported as skipped, with the reason, never silently passed.
#
# Usage: ./test.sh [extra dotnet test arguments]
set -uo pipefail
cd "$(dirname "$0")"

RESULTS="${NUMO_TEST_RESULTS:-$PWD/TestResults}"
rm -rf "$RESULTS"
mkdir -p "$RESULTS"
# Screenshots and other test artifacts land beside the TRX files.
export NUMO_TEST_ARTIFACTS="${NUMO_TEST_ARTIFACTS:-$RESULTS/artifacts}"

missing=()
need_pkgs=()
command -v redis-server >/dev/null 2>&1 || need_pkgs+=(redis-server)
command -v dnsmasq >/dev/null 2>&1 || [ -x /usr/sbin/dnsmasq ] || need_pkgs+=(dnsmasq)
[ -x /usr/bin/chromium ] || need_pkgs+=(chromium)
command -v prometheus >/dev/null 2>&1 || need_pkgs+=(prometheus)
# PostgreSQL server binaries (initdb, postgres): the dashboard store tests create a throwaway cluster.
compgen -G "/usr/lib/postgresql/*/bin/initdb" >/dev/null || need_pkgs+=(postgresql-15)

if [ ${#need_pkgs[@]} -gt 0 ]; then
  if [ "$(id -u)" = "0" ] && command -v apt-get >/dev/null 2>&1; then
    echo "test.sh: installing Debian packages: ${need_pkgs[*]}"
    export DEBIAN_FRONTEND=noninteractive
    apt-get update -qq >/dev/null 2>&1 || echo "test.sh: apt-get update failed"
    for p in "${need_pkgs[@]}"; do
      apt-get install -y -qq --no-install-recommends "$p" >/dev/null 2>&1 || missing+=("$p (apt-get install $p failed)")
    done
  else
    for p in "${need_pkgs[@]}"; do missing+=("$p (not installed; run: sudo apt-get install $p)"); done
  fi
fi

# Debian's packages start services on install; the tests start their own instances on free ports.
for svc in redis-server dnsmasq prometheus postgresql; do
  if command -v systemctl >/dev/null 2>&1; then systemctl stop "$svc" >/dev/null 2>&1 || true; fi
  if command -v service >/dev/null 2>&1; then service "$svc" stop >/dev/null 2>&1 || true; fi
done

# npm packages for the User-Agent comparison and parity tests (pinned by package-lock.json).
if [ -f benchmarks/ua-compare/package.json ]; then
  if command -v npm >/dev/null 2>&1; then
    (cd benchmarks/ua-compare && { [ -d node_modules ] || npm ci --silent --no-audit --no-fund >/dev/null 2>&1; }) \
      || missing+=("npm packages in benchmarks/ua-compare (npm ci failed)")
  else
    missing+=("node/npm (for the User-Agent parity test)")
  fi
fi

[ -d ../shared/testdata ] || missing+=("../shared/testdata (reference test data beside the repo): conformance and .mmdb tests will be skipped")

if [ ${#missing[@]} -gt 0 ]; then
  echo "test.sh: missing, the tests that need them will be reported as skipped:"
  for m in "${missing[@]}"; do echo "  - $m"; done
fi

dotnet test NumoTelemetry.sln \
  --logger "trx" \
  --logger "console;verbosity=normal" \
  --results-directory "$RESULTS" \
  "$@"
status=$?

if [ -x .ci/count-results ]; then .ci/count-results "$RESULTS"; fi
exit $status
