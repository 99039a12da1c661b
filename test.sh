#!/usr/bin/env bash
# Runs every test of Tandem: unit and property tests, service tests against a real Kafka broker and PostgreSQL
# (started inside the test JVM), the format check, and the system tests with real DHCP clients in network namespaces
# against the whole stack. Installs what it needs first. Run as root on Debian 12 with JDK 17.
set -euo pipefail
cd "$(dirname "$0")"

say() { printf '\033[1m[tandem test]\033[0m %s\n' "$*"; }

[ "$(id -u)" = 0 ] || { echo "run as root: the system tests create network namespaces and bind port 67" >&2; exit 1; }
packages=(python3 postgresql udhcpc isc-dhcp-client isc-dhcp-relay isc-dhcp-server kea-admin curl jq iproute2 chromium bind9 bind9-dnsutils)
missing=()
for p in "${packages[@]}"; do dpkg -s "$p" >/dev/null 2>&1 || missing+=("$p"); done
# Node.js and npm, for the console's browser test: Debian's, unless a Node.js with npm is installed already
command -v npm >/dev/null 2>&1 || missing+=(nodejs npm)
if [ ${#missing[@]} -gt 0 ]; then
    say "Installing Debian packages: ${missing[*]}"
    # isc-dhcp-server's and bind9's packages would start dhcpd and named as system services: forbid service starts
    # while installing, so that no DHCP or DNS server ever runs on this machine's own interfaces (the tests run dhcpd
    # in namespaces and named on loopback or in namespaces only).
    policy=0
    if [ ! -e /usr/sbin/policy-rc.d ]; then printf '#!/bin/sh\nexit 101\n' >/usr/sbin/policy-rc.d; chmod 755 /usr/sbin/policy-rc.d; policy=1; fi
    apt-get update -q >/dev/null
    DEBIAN_FRONTEND=noninteractive apt-get install -y -q "${missing[@]}" >/dev/null
    [ "$policy" = 1 ] && rm -f /usr/sbin/policy-rc.d
fi

# The console's browser test: playwright-core (pinned in package-lock.json) drives Debian's Chromium.
say "Installing playwright-core for the console's browser test (npm ci in system-tests/console)"
(cd system-tests/console && npm ci --no-audit --no-fund --loglevel=error)

say "Building and running unit, property, service and chart tests, then the system tests (./mvnw verify -Psystem)"
./mvnw -B -ntp verify -Psystem "$@"

# No GraalVM or Mandrel here: run Quarkus' native build steps short of native-image itself (the extensions' native
# processing, reflection and resource registration, the native-image arguments). Errors only native-image's own
# analysis finds (classes initialised at build time, reflection missed at run time) need a native toolchain.
say "Checking native-image readiness of the four services (-Dnative -Dquarkus.native.sources-only=true)"
./mvnw -B -ntp -q package -Dnative -DskipTests -Dspotless.check.skip=true -Dquarkus.native.sources-only=true \
    -pl packet-gateway,lease-service,failover-coordinator,admin-api -am
for m in packet-gateway lease-service failover-coordinator admin-api; do
    [ -f "$m/target/native-sources/native-image.args" ] || { echo "no native sources for $m" >&2; exit 1; }
done
say "Native sources written for every service"
