#!/usr/bin/env bash
# The system tests tagged "long" (minutes of waiting on lease and MCLT timers each, so not in ./test.sh): today
# FailoverSystemTest#partnerDownReusesAnExpiredAddressOnlyMcltAfterEnteringIt. Each class starts the system tests'
# stack for itself (run nothing else on it meanwhile). Usage: bench/long-tests.sh
set -euo pipefail
cd "$(dirname "$0")/.."
[ "$(id -u)" = 0 ] || { echo "run as root: the system tests create network namespaces" >&2; exit 1; }
echo "[tandem bench] building, then the system tests tagged long"
./mvnw -B -ntp install -DskipTests -Dspotless.check.skip=true -q
exec ./mvnw -B -ntp verify -Psystem -pl system-tests -Dtandem.system.excludedGroups=none -Dgroups=long \
    -Dtest='FailoverSystemTest' -Dsurefire.failIfNoSpecifiedTests=false
