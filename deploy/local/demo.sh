#!/usr/bin/env bash
# The demo configuration of the local stack, made through the admin API as an operator would make it: two servers,
# their scopes, and a failover relationship holding the pair's LAN. tandem-local.sh runs it once on first start.
#
# Settings (environment): TANDEM_ADMIN_URL (http://127.0.0.1:8090), TANDEM_ADMIN_CREDENTIALS (admin:<password>),
# TANDEM_COORDINATOR_URL and TANDEM_COORDINATOR_URL_B (where the admin API reaches each server's coordinator), and
# TANDEM_NET_PREFIX / TANDEM_NET_INDEX as for the lab network. The pair's timers: TANDEM_DEMO_PAIR_LEASE_TIME (3600 s),
# TANDEM_DEMO_MCLT (300 s), TANDEM_DEMO_SAFE_PERIOD (300 s); the chaos run shortens them so that a run sees addresses
# come back and the partner go PARTNER-DOWN.
set -euo pipefail

# shellcheck source=net.sh
. "$(dirname "${BASH_SOURCE[0]}")/net.sh"
API=${TANDEM_ADMIN_URL:-http://127.0.0.1:8090}
CREDENTIALS=${TANDEM_ADMIN_CREDENTIALS:?admin:<password> of the admin API}
A=${TANDEM_SERVER:-dhcp-a}
B=${TANDEM_SERVER_B:-dhcp-b}
PAIR_LEASE_TIME=${TANDEM_DEMO_PAIR_LEASE_TIME:-3600}
MCLT=${TANDEM_DEMO_MCLT:-300}
SAFE_PERIOD=${TANDEM_DEMO_SAFE_PERIOD:-300}

call() { # METHOD PATH [JSON]
    echo "$1 $2"
    curl -sS --fail-with-body -u "$CREDENTIALS" -X "$1" -H 'Content-Type: application/json' \
        ${3:+--data "$3"} "$API$2"
    echo
}

call POST /api/v1/servers "{\"name\": \"$A\", \"serverIdentifier\": \"$RELAY_LINK.1\",
  \"failoverAddress\": \"$FO_LINK.1\", \"gatewayAddresses\": [\"$RELAY_LINK.1\", \"$DIRECT_LAN.1\"],
  \"coordinatorUrl\": \"${TANDEM_COORDINATOR_URL:-http://127.0.0.1:8082}\"}"
call POST /api/v1/servers "{\"name\": \"$B\", \"serverIdentifier\": \"$GATEWAY_B\",
  \"failoverAddress\": \"$FO_LINK.2\", \"gatewayAddresses\": [\"$GATEWAY_B\"],
  \"coordinatorUrl\": \"${TANDEM_COORDINATOR_URL_B:-http://$PEER_KAFKA_LINK.2:8102}\"}"

# $A alone: the relayed LAN, the directly attached segment, and a large scope for load tests.
call POST /api/v1/servers/$A/scopes "{\"subnet\": \"$RELAY_LAN.0/24\", \"name\": \"relayed LAN\",
  \"ranges\": [{\"first\": \"$RELAY_LAN.10\", \"last\": \"$RELAY_LAN.250\"}],
  \"exclusions\": [{\"first\": \"$RELAY_LAN.100\", \"last\": \"$RELAY_LAN.109\"}], \"leaseTime\": 3600,
  \"options\": {\"routers\": \"$RELAY_LAN.1\", \"domain-name-servers\": \"$RELAY_LAN.53\",
                \"domain-name\": \"lan.example.test\"},
  \"reservations\": [{\"hardwareAddress\": \"02:00:5e:10:00:01\", \"address\": \"$RELAY_LAN.5\",
                      \"hostname\": \"printer\"}]}"
call POST /api/v1/servers/$A/scopes "{\"subnet\": \"$DIRECT_LAN.0/24\", \"name\": \"direct segment\",
  \"ranges\": [{\"first\": \"$DIRECT_LAN.10\", \"last\": \"$DIRECT_LAN.250\"}], \"leaseTime\": 3600,
  \"options\": {\"routers\": \"$DIRECT_LAN.1\", \"domain-name\": \"direct.example.test\"}}"
call POST /api/v1/servers/$A/scopes "{\"subnet\": \"198.19.0.0/16\", \"name\": \"load tests\",
  \"ranges\": [{\"first\": \"198.19.0.10\", \"last\": \"198.19.255.250\"}], \"leaseTime\": 3600,
  \"options\": {\"routers\": \"198.19.0.1\"}}"

# The pair's LAN: made on $A, then added to the relationship, which copies it to $B.
call POST /api/v1/servers/$A/scopes "{\"subnet\": \"$FO_LAN.0/24\", \"name\": \"pair LAN\",
  \"ranges\": [{\"first\": \"$FO_LAN.10\", \"last\": \"$FO_LAN.250\"}], \"leaseTime\": $PAIR_LEASE_TIME,
  \"options\": {\"routers\": \"$FO_LAN.1\", \"domain-name-servers\": \"$FO_LAN.53\",
                \"domain-name\": \"pair.example.test\"}}"
call POST /api/v1/relationships "{\"name\": \"tandem-pair\", \"primaryServer\": \"$A\", \"secondaryServer\": \"$B\",
  \"mode\": \"load-balance\", \"loadBalancePercent\": 50, \"mclt\": $MCLT, \"safePeriod\": $SAFE_PERIOD, \"maxResponseDelay\": 15}"
call POST /api/v1/relationships/tandem-pair/scopes "{\"scope\": \"$FO_LAN.0\"}"
