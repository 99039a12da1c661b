#!/usr/bin/env bash
# The chaos run: the local stack's failover pair under steady perfdhcp load through the relay to both servers, with
# udhcpc and dhclient clients that renew, while a seeded schedule injects faults one at a time, each followed by its
# recovery. Then the audit (bench/chaos.py): no address acknowledged or bound to two clients at overlapping times,
# every lease a client holds at the end held by a server, both lease tables identical, both servers NORMAL again
# after every fault. Prints one table (fault, takeover time, drops, time back to NORMAL, duplicates, lost); the raw
# data goes to bench/results/chaos-<seed>-<time>/.
#
#   bench/chaos.sh [SEED [FAULTS]]     FAULTS: how many of the schedule to run (all by default); exit 1 on a violation
#
# Against the stack of deploy/local/tandem-local.sh start, or with CHAOS_START=1 a stack of its own (network index 1,
# prefix tdmst, run directory /var/tmp/tandem-chaos), configured like the demo but with 60 s leases, an MCLT of 20 s
# and a safe period of 8 s, so that addresses come back and the partner goes PARTNER-DOWN within the run, and with a
# Kafka for each server (TANDEM_KAFKA_PER_SERVER=1; each has its own PostgreSQL anyway): then each server's Kafka and
# each server's PostgreSQL crashes and stays down for a while (down:kafka, down:kafka-b, down:postgres,
# down:postgres-b), where with one Kafka for both the schedule restarts it (restart:kafka), which stops the whole
# site. The faults
# join (the pair's scope leaves the relationship, served by the primary alone, then joins again with its live leases)
# and mode (a switch to the other mode and back) act through the admin API, or, on a stack configured from files
# (TANDEM_CONFIG_FILE and TANDEM_CONFIG_FILE_B, as the system tests' is), by publishing changed documents.
# Settings (environment): CHAOS_MODE (load-balance | hot-standby: the pair's mode for the run, load-balance),
# CHAOS_RATE (new DORAs per second, 20), CHAOS_CLIENTS (distinct perfdhcp clients, 60), CHAOS_HOLD (seconds a fault
# lasts, 10), CHAOS_FAULTS (a space-separated list instead of the whole schedule), CHAOS_OUT (the results directory),
# and the stack's own: TANDEM_RUN_DIR, TANDEM_NET_PREFIX, TANDEM_NET_INDEX, TANDEM_HTTP_BASE, TANDEM_PG_PORT,
# TANDEM_KAFKA_PORT, TANDEM_RELATIONSHIP (tandem-pair), TANDEM_SERVER (dhcp-a).
set -euo pipefail
HERE=$(cd "$(dirname "$0")" && pwd)
ROOT=$(cd "$HERE/.." && pwd)
if [ "${CHAOS_START:-0}" = 1 ]; then
    # Configured through the admin API like the demo, with the pair's timers shortened.
    export TANDEM_RUN_DIR=/var/tmp/tandem-chaos TANDEM_NET_PREFIX=tdmst TANDEM_NET_INDEX=1 TANDEM_PG_PORT=56432 \
        TANDEM_KAFKA_PORT=59192 TANDEM_HTTP_BASE=18080 TANDEM_RELATIONSHIP=tandem-pair \
        TANDEM_FAILOVER_STARTUP_TIME=3s TANDEM_FAILOVER_RECONNECT_INTERVAL=1s \
        TANDEM_DEMO_PAIR_LEASE_TIME=60 TANDEM_DEMO_MCLT=20 TANDEM_DEMO_SAFE_PERIOD=8 \
        TANDEM_KAFKA_PER_SERVER=${TANDEM_KAFKA_PER_SERVER:-1}
    unset TANDEM_CONFIG_FILE TANDEM_CONFIG_FILE_B
    "$ROOT/deploy/local/tandem-local.sh" purge >/dev/null
    "$ROOT/deploy/local/tandem-local.sh" start
fi
# shellcheck source=../deploy/local/net.sh
. "$ROOT/deploy/local/net.sh"
LOCAL=$ROOT/deploy/local/tandem-local.sh
RUN=${TANDEM_RUN_DIR:-/var/tmp/tandem-local}
export PGPASSFILE=$RUN/db/pgpass # the stack's database passwords
HTTP=${TANDEM_HTTP_BASE:-8080}
PG_PORT=${TANDEM_PG_PORT:-55432}
KAFKA_PORT=${TANDEM_KAFKA_PORT:-59092}
KLIB=${TANDEM_KAFKA_LIB:-/var/cache/tandem/kafka-4.3.1}
REL=${TANDEM_RELATIONSHIP:-tandem-pair}
SERVER=${TANDEM_SERVER:-dhcp-a}
MODE=${CHAOS_MODE:-load-balance}
SEED=${1:-1}
LIMIT=${2:-0}
RATE=${CHAOS_RATE:-20}
CLIENTS=${CHAOS_CLIENTS:-60}
HOLD=${CHAOS_HOLD:-10}
OUT=${CHAOS_OUT:-$HERE/results/chaos-$SEED-$(date +%Y%m%d-%H%M%S)}
NS=$P-lan2
LOWER=${P}m1
SCHEDULE=(kill:lease-service kill:lease-service-b kill:gateway kill:gateway-b kill:coordinator kill:coordinator-b
    freeze:lease-service down:postgres down:postgres-b partition handover join mode)
# each server's own Kafka, or one for both: as the stack was started
PER_SERVER=$(cat "$RUN/kafka-per-server" 2>/dev/null || echo "${TANDEM_KAFKA_PER_SERVER:-0}")
if [ "$PER_SERVER" = 1 ]; then SCHEDULE+=(down:kafka down:kafka-b); else SCHEDULE+=(restart:kafka); fi
mkdir -p "$OUT"
: >"$OUT/faults.jsonl"
say() { printf '\033[1m[chaos]\033[0m %s\n' "$*"; }
now() { date +%s.%N; }
calc() { awk "BEGIN { print ($*) }"; } # arithmetic on fractions, without bc (parenthesised: awk takes > for a redirection)
chaos() { python3 "$HERE/chaos.py" "$@"; }

relationship() { # a|b field: a field of the relationship as that server's coordinator reports it
    if [ "$1" = a ]; then
        curl -s -m 2 "http://127.0.0.1:$((HTTP + 2))/api/v1/relationships/$REL" | jq -r "$2"
    else
        ip netns exec "$P-peer" curl -s -m 2 "http://127.0.0.1:$((HTTP + 22))/api/v1/relationships/$REL" | jq -r "$2"
    fi
}

state() { relationship "$1" .state; } # a|b: the relationship's state on that server's coordinator

both_normal() { [ "$(state a 2>/dev/null)" = NORMAL ] && [ "$(state b 2>/dev/null)" = NORMAL ]; }

await_mode() { # mode seconds: 0 when both coordinators run the relationship in that mode, NORMAL, within them
    local until=$(($(date +%s) + $2))
    while [ "$(date +%s)" -lt "$until" ]; do
        [ "$(relationship a .mode)" = "$1" ] && [ "$(relationship b .mode)" = "$1" ] && both_normal && return 0
        sleep 0.5
    done
    return 1
}

await_normal() { # seconds: 0 when both are NORMAL within them
    local until=$(($(date +%s) + $1))
    while [ "$(date +%s)" -lt "$until" ]; do both_normal && return 0; sleep 0.5; done
    return 1
}

admin() { # method path [body [curl options]]: the admin API as its admin user
    curl -sSf -m 30 -u "admin:$(awk '$1 == "admin" { print $2 }' "$RUN/admin/passwords" 2>/dev/null)" -X "$1" \
        -H 'Content-Type: application/json' ${3:+--data "$3"} "${@:4}" "http://127.0.0.1:$((HTTP + 10))$2"
}

documents() { # joined|left [mode]: publishes both servers' configuration files, changed: the pair's scope out of the
    # relationship (kept by the first server alone) or in it, in the mode given (or the files' own)
    local revision a b
    revision=$(date +%s%3N)
    a=$OUT/config-a-$revision.json
    b=$OUT/config-b-$revision.json
    local change='.revision = $r | if $m != "" then .failover |= map(.mode = $m) else . end'
    [ "$1" = left ] && change+=' | .failover = [] | if $partner then .scopes |= map(select(.subnet != $s)) else . end'
    jq --argjson r "$revision" --arg m "${2:-}" --arg s "$FO_LAN.0/24" --argjson partner false "$change" \
        "$TANDEM_CONFIG_FILE" >"$a"
    jq --argjson r "$revision" --arg m "${2:-}" --arg s "$FO_LAN.0/24" --argjson partner true "$change" \
        "$TANDEM_CONFIG_FILE_B" >"$b"
    "$LOCAL" publish-config "$a" "$b" >/dev/null
}

switch_mode() { # mode: the relationship switches to it through the admin API (a replace with its version)
    if [ -n "${TANDEM_CONFIG_FILE:-}" ]; then
        documents joined "$1"
        return
    fi
    local view
    view=$(admin GET "/api/v1/relationships/$REL")
    admin PUT "/api/v1/relationships/$REL" "$(jq -c --arg m "$1" '{name, primaryServer, secondaryServer, mode: $m,
        loadBalancePercent, reservePercent, mclt, safePeriod, maxResponseDelay, maxUnackedUpdates,
        loadBalanceMaxSeconds, port, tls}' <<<"$view")" -H "If-Match: \"$(jq -r .version <<<"$view")\"" >/dev/null
}

other_mode() { [ "$MODE" = hot-standby ] && echo load-balance || echo hot-standby; }

sql() { # a|b statement: on that server's lease database (each server has a PostgreSQL of its own)
    psql -h 127.0.0.1 -p "$([ "$1" = b ] && echo $((PG_PORT + 1)) || echo "$PG_PORT")" -U tandem_lease -d "tandem_dhcp_$1" \
        -tAc "$2"
}

pending() { # updates unacknowledged, events unpublished and offers not taken up, both servers
    local n=0 s
    for s in a b; do
        n=$((n + $(sql "$s" "SELECT (SELECT count(*) FROM lease WHERE update_seq > acked_seq)
            + (SELECT count(*) FROM lease_event_outbox) + (SELECT count(*) FROM lease WHERE state = 'OFFERED')")))
    done
    echo "$n"
}

# --- clients -------------------------------------------------------------------------------------------------------

PIDS=()
macvlan() { # name mac
    ip -n "$NS" link del "$1" 2>/dev/null || true
    ip -n "$NS" link add link "$LOWER" name "$1" address "$2" type macvlan mode bridge
    ip -n "$NS" link set "$1" up
}

cleanup() {
    for pid in "${PIDS[@]}"; do kill "$pid" 2>/dev/null || true; done
    [ -f "$OUT/dhclient.pid" ] && kill "$(cat "$OUT/dhclient.pid")" 2>/dev/null || true
    for l in "${P}c0" "${P}c1" "${P}c2" "${P}c3" "${P}c4"; do
        ip -n "$NS" link del "$l" 2>/dev/null || true
    done
}
trap cleanup EXIT

start_clients() {
    local script
    for script in udhcpc.script dhclient.script; do # the system tests' client scripts: apply the lease, log it
        install -m 755 "$ROOT/system-tests/src/test/resources/$script" "$OUT/$script"
    done
    ip netns exec "$NS" python3 "$HERE/chaos.py" capture "$LOWER" "$OUT/acks.jsonl" &
    PIDS+=($!)
    macvlan "${P}c0" 02:00:5e:6c:00:01 # perfdhcp's own interface
    ip -n "$NS" addr add "$FO_LAN.250/24" dev "${P}c0"
    local i
    for i in 1 2; do
        macvlan "${P}c$i" "02:00:5e:6c:00:1$i"
        TANDEM_CLIENT_LOG=$OUT/udhcpc-$i.events ip netns exec "$NS" udhcpc -f -i "${P}c$i" \
            -s "$OUT/udhcpc.script" -t 10 -T 2 -A 2 -x "hostname:chaos-$i" \
            >"$OUT/udhcpc-$i.log" 2>&1 &
        PIDS+=($!)
    done
    macvlan "${P}c3" 02:00:5e:6c:00:13
    ip netns exec "$NS" dhclient -d -4 -sf "$OUT/dhclient.script" \
        -lf "$OUT/dhclient.leases" -pf "$OUT/dhclient.pid" "${P}c3" >"$OUT/dhclient.log" 2>&1 &
    PIDS+=($!)
}

load() { # seconds name: perfdhcp in the background, DORA through the relay to both servers
    ip netns exec "$NS" perfdhcp -4 -l "${P}c0" -B -r "$RATE" -R "$CLIENTS" -p "$1" >"$OUT/perfdhcp-$2.txt" 2>&1 &
    LOAD=$!
}

first_probe() { # log: seconds after the fault's start the first probe went out (the takeover's resolution)
    awk '/^\+/ { sub(/^\+/, "", $1); print $1; found = 1; exit } END { if (!found) print "null" }' "$1"
}

drops() { # name: the share of DISCOVER-OFFER exchanges perfdhcp counted as dropped, in percent
    awk '/drops ratio/ { print $3 + 0; found = 1; exit } END { if (!found) print "null" }' "$OUT/perfdhcp-$1.txt"
}

# --- faults --------------------------------------------------------------------------------------------------------

probe_side() { # side: whose clients a probe is; in hot-standby the primary serves every client
    [ "$MODE" = hot-standby ] && echo any || echo "$1"
}

probe() { # log side seed [failed-server]: starts a takeover probe (chaos.py probe), ready before the fault: a Python
    # start may take seconds on a loaded machine, and the probe must start at once
    rm -f "$1.ready" "$1.go"
    ip netns exec "$NS" python3 "$HERE/chaos.py" probe "${P}c4" "$(probe_side "$2")" "$3" "$1" ${4:+"$4"} >"$1.result" &
    PROBE=$!
    local _
    for _ in $(seq 600); do [ -f "$1.ready" ] && return; sleep 0.1; done
}

go() { # log start: the probe begins, its time counted from start
    echo "$2" >"$1.go"
}

takeover() { # log: seconds from the start until the probe was served (null: not within 60 s); not in a subshell, which
    # cannot wait for the probe
    wait "$PROBE" || true
    read -r TAKEN TAKEN_BY <"$1.result" || true
    [ -n "$TAKEN" ] || TAKEN=null
}

failed_server() { # fault: the server identifier of the server that fails, whose answers do not count as a takeover
    case "$1" in
        kill:* | freeze:* | down:*) [ "$(side_of "$1")" = primary ] && echo "$RELAY_LINK.1" || echo "$GATEWAY_B" ;;
        handover) echo "$RELAY_LINK.1" ;; # the primary goes into maintenance
    esac
}

inject() { # fault: starts it
    case "$1" in
        kill:*) "$LOCAL" stop-service "${1#kill:}" --kill >/dev/null ;;
        freeze:*) "$LOCAL" freeze-service "${1#freeze:}" >/dev/null ;;
        restart:kafka) "$LOCAL" stop-service kafka >/dev/null ;;
        down:postgres | down:kafka) "$LOCAL" "stop-${1#down:}" dhcp-a --kill >/dev/null ;;
        down:postgres-b | down:kafka-b) "$LOCAL" "stop-${1:5:-2}" dhcp-b --kill >/dev/null ;;
        partition) "$LOCAL" partition >/dev/null ;;
        handover) curl -sf -m 10 -X POST -H "Authorization: Bearer $(cat "$RUN/admin/command-token")" \
            "http://127.0.0.1:$((HTTP + 2))/api/v1/relationships/$REL/maintenance" >/dev/null ;;
        join) if [ -n "${TANDEM_CONFIG_FILE:-}" ]; then documents left "$MODE_NOW"; else
            admin DELETE "/api/v1/relationships/$REL/scopes/$FO_LAN.0?keepOn=$SERVER" >/dev/null; fi ;;
        mode) switch_mode "$(other_mode)" ;;
    esac
}

repair() { # fault: ends it
    case "$1" in
        kill:*) "$LOCAL" start-service "${1#kill:}" >/dev/null ;;
        freeze:*) "$LOCAL" thaw-service "${1#freeze:}" >/dev/null ;;
        restart:kafka) "$LOCAL" restart-kafka >/dev/null; "$LOCAL" ready >/dev/null ;;
        down:postgres | down:kafka) "$LOCAL" "start-${1#down:}" dhcp-a >/dev/null; "$LOCAL" ready >/dev/null ;;
        down:postgres-b | down:kafka-b) "$LOCAL" "start-${1:5:-2}" dhcp-b >/dev/null; "$LOCAL" ready >/dev/null ;;
        partition) "$LOCAL" heal >/dev/null ;;
        handover) curl -sf -m 10 -X DELETE -H "Authorization: Bearer $(cat "$RUN/admin/command-token")" \
            "http://127.0.0.1:$((HTTP + 2))/api/v1/relationships/$REL/maintenance" >/dev/null ;;
        join) if [ -n "${TANDEM_CONFIG_FILE:-}" ]; then documents joined "$MODE_NOW"; else
            admin POST "/api/v1/relationships/$REL/scopes" "{\"scope\": \"$FO_LAN.0\"}" >/dev/null; fi ;;
        mode) switch_mode "$MODE" ;;
    esac
}

side_of() { # fault: whose clients lose their server
    case "$1" in *-b | join | mode) echo secondary ;; *) echo primary ;; esac
}

# --- the run -------------------------------------------------------------------------------------------------------

if [ -n "${CHAOS_FAULTS:-}" ]; then
    read -r -a faults <<<"$CHAOS_FAULTS"
else
    read -r -a faults <<<"$(python3 -c "import random, sys; f = sys.argv[2:]; random.Random(int(sys.argv[1])).shuffle(f); print(' '.join(f))" "$SEED" "${SCHEDULE[@]}")"
fi
[ "$LIMIT" -gt 0 ] && faults=("${faults[@]:0:$LIMIT}")
say "Seed $SEED, $MODE: ${faults[*]}; results in $OUT"
await_normal 180 || { echo "the pair is not NORMAL: start the stack first" >&2; exit 2; }
if [ -z "${TANDEM_CONFIG_FILE:-}" ] && [[ " ${faults[*]} $MODE " =~ " join "|" mode "|" hot-standby " ]] \
    && ! admin GET "/api/v1/relationships/$REL" >/dev/null; then
    echo "join, mode and CHAOS_MODE act through the admin API: $REL is not configured through it here" >&2
    exit 2
fi
MODE_NOW=$(relationship a .mode)
if [ "$MODE_NOW" != "$MODE" ]; then
    say "The pair switches to $MODE"
    switch_mode "$MODE"
    await_mode "$MODE" 180 || { echo "the pair is not NORMAL in $MODE" >&2; exit 2; }
fi
MODE_NOW=$MODE
start_clients
macvlan "${P}c4" 02:00:5e:6c:00:14 # the takeover probes' interface (each probe client names its own MAC)
sleep 5
FAULT=0
for fault in "${faults[@]}"; do
    FAULT=$((FAULT + 1))
    await_normal 180 || true
    say "Fault $FAULT: $fault"
    load $((HOLD + 30)) "$FAULT"
    probe "$OUT/probe-${FAULT}a.log" "$(side_of "$fault")" "$((SEED * 200 + FAULT * 2))" "$(failed_server "$fault")"
    start=$(now)
    # The probe starts once the fault is in effect: a signal, a partition, at once; a restart or an API call may take
    # seconds to return, so the probe starts with them (an answer of the failed server does not count)
    injecting=
    case "$fault" in
        kill:*)
            kill -KILL "$(cat "$RUN/pids/${fault#kill:}.pid" 2>/dev/null)" 2>/dev/null || say "  ${fault#kill:} did not run"
            go "$OUT/probe-${FAULT}a.log" "$start"
            inject "$fault" & # stop-service waits for the process to be gone
            injecting=$! ;;
        freeze:* | partition) inject "$fault"; go "$OUT/probe-${FAULT}a.log" "$start" ;;
        down:*) # a crash (kill -9 of the broker, PostgreSQL's immediate shutdown); until it is down the failed server
            # may still answer, which the probe does not count
            go "$OUT/probe-${FAULT}a.log" "$start"; inject "$fault" ;;
        *) go "$OUT/probe-${FAULT}a.log" "$start"; inject "$fault" & injecting=$! ;;
    esac
    takeover "$OUT/probe-${FAULT}a.log"
    taken=$TAKEN by=$TAKEN_BY
    [ -z "$injecting" ] || wait "$injecting" || say "  the injection of $fault failed"
    remaining=$(calc "$HOLD - ($(now) - $start)")
    [ "$(calc "$remaining > 0")" = 1 ] && sleep "$remaining"
    probe "$OUT/probe-${FAULT}b.log" "$(side_of "$fault")" "$((SEED * 200 + FAULT * 2 + 1))"
    repaired=$(now)
    go "$OUT/probe-${FAULT}b.log" "$repaired"
    repair "$fault" &
    repairing=$!
    takeover "$OUT/probe-${FAULT}b.log" # a join or restart may stop service
    resumed=$TAKEN
    wait "$repairing" || say "  the repair of $fault failed"
    ended=$(now)
    normal=null
    await_normal 120 && normal=$(now)
    wait "$LOAD" || true
    printf '{"fault": "%s", "start": %s, "takeover": %s, "by": "%s", "probed": %s, "repaired": %s, "resumed": %s, "end": %s, "normal": %s, "drops": %s}\n' \
        "$fault" "$start" "$taken" "$by" "$(first_probe "$OUT/probe-${FAULT}a.log")" "$repaired" "$resumed" "$ended" "$normal" \
        "$(drops "$FAULT")" >>"$OUT/faults.jsonl"
    say "  takeover ${taken} s (by $by), served ${resumed} s after the repair began, back to NORMAL $([ "$normal" = null ] && echo never || echo "$(calc "$normal - $ended") s after the repair")"
done

say "Faults done; the clients stop (none releases); waiting until both servers are NORMAL with nothing pending"
cleanup
trap - EXIT
await_normal 180 || true
for _ in $(seq 120); do [ "$(pending)" = 0 ] && break; sleep 1; done
tables() {
    for s in a b; do
        sql "$s" "COPY (SELECT host(ip) AS address,
                CASE WHEN state = 'FREE' AND backup THEN 'BACKUP' ELSE state END AS state,
                coalesce(hw_address, '') AS mac, coalesce(extract(epoch FROM expires_at)::bigint, 0) AS expires
            FROM lease_view WHERE scope = '$FO_LAN.0/24' ORDER BY ip) TO STDOUT WITH CSV HEADER" >"$OUT/table-$s.csv"
    done
}
# The last binding updates may still be on their way: the tables must agree within 60 s (the audit says where not).
# The end is when the tables were last read: a lease a client holds then must be in one of them.
for _ in $(seq 30); do now >"$OUT/end"; tables; chaos agree "$OUT" && break; sleep 2; done
# With a Kafka per server, the second server's events are read from its own (the mirror may lag; events read twice
# are one event to the audit).
: >"$OUT/events.jsonl"
for port in "$KAFKA_PORT" $([ "$PER_SERVER" = 1 ] && echo $((KAFKA_PORT + 10))); do
    timeout 120 java -cp "$KLIB/*" org.apache.kafka.tools.consumer.ConsoleConsumer \
        --bootstrap-server "127.0.0.1:$port" --consumer.config "$RUN/kafka-users/tandem-admin.properties" \
        --topic tandem.lease-events --from-beginning --timeout-ms 10000 \
        >>"$OUT/events.jsonl" 2>>"$OUT/consumer.log" || true
done
chaos audit "$OUT" | tee "$OUT/table.txt"
exit "${PIPESTATUS[0]}"
