#!/usr/bin/env bash
# The start-order matrix (system-tests: StartOrderMatrix) of a Tandem server and its partner, ISC dhcpd or another
# Tandem server: every start order and timing, fresh and with state, and a restart of either side in each of NORMAL,
# COMMUNICATIONS-INTERRUPTED, PARTNER-DOWN, RECOVER and RECOVER-DONE. About 20 min a pair; it uses the
# system tests' stack (run nothing else on it meanwhile). Usage: bench/start-order.sh [Primary,Secondary,Tandem]
# (the ISC pair with Tandem as primary, as secondary, and the pair of two Tandem servers; all three by default)
set -euo pipefail
cd "$(dirname "$0")/.."
[ "$(id -u)" = 0 ] || { echo "run as root: the system tests create network namespaces" >&2; exit 1; }
tests=
for pair in $(echo "${1:-Primary,Secondary,Tandem}" | tr , ' '); do
    case "$pair" in
        Primary | Secondary) tests+="IscStartOrderMatrixTandem${pair}Test," ;;
        Tandem) tests+="TandemStartOrderMatrixTest," ;;
        *) echo "unknown pair $pair: Primary, Secondary or Tandem" >&2; exit 2 ;;
    esac
done
echo "[tandem bench] building, then the start-order matrix: ${tests%,}"
./mvnw -B -ntp install -DskipTests -Dspotless.check.skip=true -q
exec ./mvnw -B -ntp verify -Psystem -pl system-tests -Dtandem.system.excludedGroups=none -Dgroups=matrix \
    -Dtest="${tests%,}" -Dsurefire.failIfNoSpecifiedTests=false
