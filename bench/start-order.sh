#!/usr/bin/env bash
# The start-order matrix of a Tandem server and an ISC dhcpd partner (system-tests: IscStartOrderMatrix), with Tandem
# as primary and as secondary: every start order and timing, fresh and with state, and a restart of either side in
# each of NORMAL, COMMUNICATIONS-INTERRUPTED, PARTNER-DOWN, RECOVER and RECOVER-DONE. About half an hour; it uses the
# system tests' stack (run nothing else on it meanwhile). Usage: bench/start-order.sh [Primary|Secondary]
set -euo pipefail
cd "$(dirname "$0")/.."
[ "$(id -u)" = 0 ] || { echo "run as root: the system tests create network namespaces" >&2; exit 1; }
roles=${1:-Primary,Secondary}
tests=$(printf 'IscStartOrderMatrixTandem%sTest,' ${roles//,/ })
echo "[tandem bench] building, then the start-order matrix: ${tests%,}"
./mvnw -B -ntp install -DskipTests -Dspotless.check.skip=true -q
exec ./mvnw -B -ntp verify -Psystem -pl system-tests -Dtandem.system.excludedGroups=none -Dgroups=matrix \
    -Dtest="${tests%,}" -Dsurefire.failIfNoSpecifiedTests=false
