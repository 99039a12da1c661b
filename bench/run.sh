#!/usr/bin/env bash
# DORA load benchmark with perfdhcp (Kea's load generator), in rate steps, relayed on loopback.
#
#   bench/run.sh tandem          against the local stack (deploy/local/tandem-local.sh start first)
#   bench/run.sh kea-memfile     Kea 2.2 (Debian kea-dhcp4-server), memfile lease backend
#   bench/run.sh kea-pgsql       Kea 2.2 with its PostgreSQL lease backend (fsync on, like Tandem)
#   bench/run.sh tandem-pair     the local stack's failover pair in hot-standby: start it with the bench configurations,
#                                TANDEM_CONFIG_FILE=bench/pair-a.json TANDEM_CONFIG_FILE_B=bench/pair-b.json \
#                                deploy/local/tandem-local.sh start
#   bench/run.sh kea-ha          a Kea 2.2 HA hot-standby pair (two kea-dhcp4, PostgreSQL backends, HA+MT)
#   bench/run.sh all
#
# Kea runs in a network namespace of its own (tandem-bench) with a PostgreSQL of its own; nothing listens on a real
# interface. Each step offers RATE DORA exchanges/s for STEP_SECONDS to fresh clients and prints perfdhcp's drop ratio
# and delays; a step passes with under 1 % drops of either exchange (perfdhcp counts an answer later than 1 s as a drop).
# At the rates in CAPTURE_RATES (500) the step is also captured with tcpdump on the loopback, and bench/latency.py
# prints the DISCOVER-OFFER, REQUEST-ACK and whole-DORA percentiles (p50, p90, p99), which perfdhcp does not give.
# Results go to bench/results/.
set -euo pipefail
HERE=$(cd "$(dirname "$0")" && pwd)
ROOT=$(cd "$HERE/.." && pwd)
RATES=${RATES:-"400 600 800 1000 1200 1500"}
STEP_SECONDS=${STEP_SECONDS:-10}
CAPTURE_RATES=${CAPTURE_RATES:-500}
OUT=$HERE/results
mkdir -p "$OUT"
PGBIN=/usr/lib/postgresql/15/bin
NS=tandem-bench
KEA_RUN=/var/tmp/tandem-bench-kea
export PGPASSFILE=${TANDEM_RUN_DIR:-/var/tmp/tandem-local}/db/pgpass # Tandem's database passwords

say() { printf '\033[1m[bench]\033[0m %s\n' "$*"; }

# This machine's speed differs from day to day (results below varied by 2-3x, Kea's too): a fixed single-threaded
# workload, printed with every run, tells how fast the day is.
speed_marker() {
    python3 -c 'import time
t = time.perf_counter()
s = 0
for i in range(10 ** 7): s += i
print(round((time.perf_counter() - t) * 1000))'
}

# CPU time (ms, user + system) used so far by the processes whose pids are given, all together.
cpu_ms() {
    local total=0 p f
    for p in "$@"; do
        read -r -a f <"/proc/$p/stat" 2>/dev/null && total=$((total + f[13] + f[14]))
    done
    echo $((total * 1000 / $(getconf CLK_TCK)))
}

for p in kea-dhcp4-server kea-admin postgresql jq tcpdump; do
    dpkg -s "$p" >/dev/null 2>&1 || { apt-get update -q >/dev/null; DEBIAN_FRONTEND=noninteractive apt-get install -y -q "$p" >/dev/null; }
done
say "speed of the day: 10^7 additions in Python took $(speed_marker) ms (810 ms on 2026-12-01)"

# One step: $1 label, $2 rate, then the perfdhcp target arguments.
step() {
    local label=$1 rate=$2; shift 2
    local n=$((rate * STEP_SECONDS))
    local file="$OUT/$label-$rate.txt"
    local capture="$OUT/$label-$rate.pcap" tcpdump_pid="" in_ns=()
    if [[ " $CAPTURE_RATES " == *" $rate "* ]]; then
        [ "$1" = ip ] && [ "$2" = netns ] && in_ns=(ip netns exec "$4")
        "${in_ns[@]}" tcpdump -n -i lo -s 400 -B 32768 -w "$capture" 'udp port 67' 2>"$capture.log" &
        tcpdump_pid=$!
        for _ in $(seq 50); do grep -q 'listening on' "$capture.log" 2>/dev/null && break; sleep 0.1; done
    fi
    timeout $((STEP_SECONDS + 30)) "$@" -r "$rate" -n "$n" -R "$n" -p "$STEP_SECONDS" >"$file" 2>&1 || true
    if [ -n "$tcpdump_pid" ]; then
        kill -INT "$tcpdump_pid" 2>/dev/null || true
        wait "$tcpdump_pid" 2>/dev/null || true
        { grep 'dropped by kernel' "$capture.log" || true; python3 "$HERE/latency.py" "$capture"; } | sed 's/^/    /' >"$file.latency"
    fi
    awk -v label="$label" -v rate="$rate" '
        /Statistics for: DISCOVER-OFFER/ {s="DO"} /Statistics for: REQUEST-ACK/ {s="RA"}
        /drops ratio/ {d[s]=$3} /avg delay/ {a[s]=$3} /max delay/ {m[s]=$3} /^sent packets/ {sent[s]=$3} /^received packets/ {rcv[s]=$3}
        END { ok = (d["DO"]+0 < 1 && d["RA"]+0 < 1 && rcv["RA"] > 0) ? "PASS" : "FAIL";
              printf "%-13s rate %5d/s  DO drops %6s%%  RA drops %6s%%  acks %6d  avg DO %7s ms  avg RA %7s ms  max RA %8s ms  %s\n",
                     label, rate, d["DO"], d["RA"], rcv["RA"], a["DO"], a["RA"], m["RA"], ok }' "$file"
    if [ -f "$file.latency" ]; then tee -a "$file" <"$file.latency"; rm -f "$file.latency" "$capture" "$capture.log"; fi
}

bench_tandem() { # $1 label (tandem | tandem-pair)
    local label=${1:-tandem}
    local http=${TANDEM_HTTP_BASE:-8080}
    curl -sf "http://127.0.0.1:$http/q/health/ready" >/dev/null \
        || { echo "the local stack does not run: deploy/local/tandem-local.sh start" >&2; exit 1; }
    local pg=${TANDEM_PG_PORT:-55432}
    if [ "$label" = tandem ] && [ "${TANDEM_ONE_SERVER:-1}" = 1 ]; then
        # One server is its gateway, lease-service, Kafka and PostgreSQL, as Kea is one process and its database. The
        # rest of the local stack would take a third of a core: the admin-api's read model of every lease event, and
        # the idle services of the second server. TANDEM_ONE_SERVER=0 measures with them.
        say "one server alone: stopping the admin-api, gateway-direct, both coordinators and the second server's services" \
            "(deploy/local/tandem-local.sh start-service NAME starts each again)"
        for s in admin-api gateway-direct coordinator lease-service-b gateway-b coordinator-b; do
            "$ROOT/deploy/local/tandem-local.sh" stop-service "$s" >/dev/null
        done
    fi
    # A JVM compiles its hot paths in the first minutes under load, and on two cores the compiler threads take CPU
    # from the load: the first 10 s steps after a start measure the JIT, not the server.
    local warm=${WARMUP_SECONDS:-60}
    say "warm-up (not measured): 300/s for $warm s, so the JIT has compiled the hot paths"
    perfdhcp -4 -l 127.0.0.1 -o 118,c6130000 -r 300 -n $((300 * warm)) -R $((300 * warm)) -p "$warm" 198.18.0.1 \
        >/dev/null 2>&1 || true
    for rate in $RATES; do
        # fresh pool for every step: the demo load scope 198.19.0.0/16 holds 65,000 addresses
        for _ in 1 2 3 4 5; do # the reclaimer may hold some of these rows for a moment
            psql -q -h 127.0.0.1 -p "$pg" -U postgres tandem_dhcp_a -c "UPDATE lease SET state = 'FREE',
                client_key = NULL, expires_at = NULL WHERE scope = '198.19.0.0/16' AND state <> 'FREE'" 2>/dev/null && break
            sleep 1
        done
        psql -q -h 127.0.0.1 -p "$pg" -U postgres tandem_dhcp_a -c "VACUUM ANALYZE lease" 2>/dev/null
        if [ "$label" = tandem-pair ]; then
            # the partner's copy too, and let the binding updates of the last step drain first
            psql -q -h 127.0.0.1 -p $((pg + 1)) -U postgres tandem_dhcp_b -c "UPDATE lease SET state = 'FREE',
                client_key = NULL, expires_at = NULL WHERE scope = '198.19.0.0/16' AND state <> 'FREE'" 2>/dev/null || true
            for _ in $(seq 120); do
                pending=$(psql -At -h 127.0.0.1 -p "$pg" -U postgres tandem_dhcp_a -c \
                    "SELECT count(*) FROM lease WHERE update_seq > acked_seq" 2>/dev/null || echo 1)
                [ "$pending" = 0 ] && break
                sleep 1
            done
        fi
        # CPU per DORA of one server's processes: less noisy than the drops, and comparable across days of one speed
        local run=${TANDEM_RUN_DIR:-/var/tmp/tandem-local} names=(gateway lease-service kafka postgres) before=() i
        local groups=("$(cat "$run/pids/gateway.pid")" "$(cat "$run/pids/lease-service.pid")" \
            "$(cat "$run/pids/kafka.pid")" "$(pgrep -u postgres -d ' ' postgres)")
        for i in 0 1 2 3; do before[i]=$(cpu_ms ${groups[i]}); done # word-split: postgres is several processes
        step "$label" "$rate" perfdhcp -4 -l 127.0.0.1 -o 118,c6130000 198.18.0.1
        local acks cpu=() line="    CPU per DORA:"
        acks=$(awk '/Statistics for: REQUEST-ACK/ {s = 1} s && /^received packets/ {print $3; exit}' "$OUT/$label-$rate.txt")
        if [ "$label" = tandem ] && [ "${acks:-0}" -gt 0 ]; then
            for i in 0 1 2 3; do
                cpu[i]=$(($(cpu_ms ${groups[i]}) - before[i]))
                line+=$(awk -v n="${names[i]}" -v c="${cpu[i]}" -v a="$acks" 'BEGIN {printf " %s %.2f ms", n, c / a}')
            done
            line+=$(awk -v c="$((cpu[0] + cpu[1] + cpu[2] + cpu[3]))" -v a="$acks" 'BEGIN {printf ", total %.2f ms", c / a}')
            echo "$line" | tee -a "$OUT/$label-$rate.txt"
        fi
        curl -s "http://127.0.0.1:$http/q/metrics" | grep -E '^tandem_lease_exchange_seconds\{' | sed 's/^/    gateway /'
    done
}

kea_up() { # $1 memfile|pgsql
    kea_down
    ip netns add "$NS"
    ip -n "$NS" link set lo up
    ip -n "$NS" addr add 127.0.0.2/8 dev lo # perfdhcp's relay address; Kea keeps 127.0.0.1
    mkdir -p "$KEA_RUN"
    chmod 755 "$KEA_RUN"
    local db='"lease-database": {"type": "memfile", "persist": true, "name": "'"$KEA_RUN"'/leases.csv", "lfc-interval": 0}'
    if [ "$1" = pgsql ]; then
        mkdir -p "$KEA_RUN/pg"
        chown postgres "$KEA_RUN/pg"
        runuser -u postgres -- "$PGBIN/initdb" -D "$KEA_RUN/pg/data" -U postgres --auth=trust >/dev/null
        ip netns exec "$NS" runuser -u postgres -- "$PGBIN/pg_ctl" -D "$KEA_RUN/pg/data" -l "$KEA_RUN/pg/log" -w \
            -o "-p 5432 -k $KEA_RUN/pg -c listen_addresses=127.0.0.1 -c fsync=on -c synchronous_commit=on" start >/dev/null
        ip netns exec "$NS" psql -q -h 127.0.0.1 -U postgres -c "CREATE ROLE kea LOGIN PASSWORD 'kea'" -c "CREATE DATABASE kea OWNER kea"
        ip netns exec "$NS" kea-admin db-init pgsql -h 127.0.0.1 -u kea -p kea -n kea >/dev/null
        db='"lease-database": {"type": "postgresql", "host": "127.0.0.1", "name": "kea", "user": "kea", "password": "kea"}'
    fi
    cat >"$KEA_RUN/kea-dhcp4.conf" <<CONF
{ "Dhcp4": {
    "interfaces-config": { "interfaces": [ "lo/127.0.0.1" ], "dhcp-socket-type": "udp" },
    $db,
    "valid-lifetime": 3600,
    "subnet4": [ { "id": 1, "subnet": "198.19.0.0/16", "pools": [ { "pool": "198.19.0.10 - 198.19.255.250" } ],
                   "relay": { "ip-addresses": [ "127.0.0.2" ] } } ],
    "loggers": [ { "name": "kea-dhcp4", "severity": "WARN", "output_options": [ { "output": "$KEA_RUN/kea.log" } ] } ]
} }
CONF
    ip netns exec "$NS" env KEA_PIDFILE_DIR="$KEA_RUN" KEA_LOCKFILE_DIR="$KEA_RUN" \
        kea-dhcp4 -c "$KEA_RUN/kea-dhcp4.conf" >"$KEA_RUN/kea.out" 2>&1 &
    echo $! >"$KEA_RUN/kea.pid"
    for _ in $(seq 50); do ip netns exec "$NS" ss -lun | grep -q '127.0.0.1:67' && return; sleep 0.2; done
    echo "kea-dhcp4 did not start: $(cat "$KEA_RUN/kea.out")" >&2; exit 1
}

kea_down() {
    local f
    for f in "$KEA_RUN"/kea*.pid; do
        [ -f "$f" ] && { kill "$(cat "$f")" 2>/dev/null || true; sleep 1; }
    done
    if [ -f "$KEA_RUN/pg/data/postmaster.pid" ]; then
        runuser -u postgres -- "$PGBIN/pg_ctl" -D "$KEA_RUN/pg/data" -m fast -w stop >/dev/null 2>&1 || true
    fi
    ip netns del "$NS" 2>/dev/null || true
    rm -rf "$KEA_RUN"
}

kea_ha_up() {
    kea_down
    ip netns add "$NS"
    ip -n "$NS" link set lo up
    ip -n "$NS" addr add 127.0.0.2/8 dev lo # perfdhcp's relay address
    ip -n "$NS" addr add 127.0.0.3/8 dev lo # the standby
    mkdir -p "$KEA_RUN/pg"
    chmod 755 "$KEA_RUN"
    chown postgres "$KEA_RUN/pg"
    runuser -u postgres -- "$PGBIN/initdb" -D "$KEA_RUN/pg/data" -U postgres --auth=trust >/dev/null
    ip netns exec "$NS" runuser -u postgres -- "$PGBIN/pg_ctl" -D "$KEA_RUN/pg/data" -l "$KEA_RUN/pg/log" -w \
        -o "-p 5432 -k $KEA_RUN/pg -c listen_addresses=127.0.0.1 -c fsync=on -c synchronous_commit=on" start >/dev/null
    ip netns exec "$NS" psql -q -h 127.0.0.1 -U postgres -c "CREATE ROLE kea LOGIN PASSWORD 'kea'"
    local n
    for n in 1 2; do
        ip netns exec "$NS" psql -q -h 127.0.0.1 -U postgres -c "CREATE DATABASE kea$n OWNER kea"
        ip netns exec "$NS" kea-admin db-init pgsql -h 127.0.0.1 -u kea -p kea -n "kea$n" >/dev/null
        local addr=127.0.0.$((n == 1 ? 1 : 3))
        mkdir -p "$KEA_RUN/s$n"
        cat >"$KEA_RUN/s$n/kea-dhcp4.conf" <<CONF
{ "Dhcp4": {
    "interfaces-config": { "interfaces": [ "lo/$addr" ], "dhcp-socket-type": "udp" },
    "lease-database": {"type": "postgresql", "host": "127.0.0.1", "name": "kea$n", "user": "kea", "password": "kea"},
    "valid-lifetime": 3600,
    "multi-threading": { "enable-multi-threading": true, "thread-pool-size": 4, "packet-queue-size": 64 },
    "hooks-libraries": [
      { "library": "/usr/lib/x86_64-linux-gnu/kea/hooks/libdhcp_lease_cmds.so" },
      { "library": "/usr/lib/x86_64-linux-gnu/kea/hooks/libdhcp_ha.so", "parameters": { "high-availability": [ {
          "this-server-name": "server$n", "mode": "hot-standby",
          "heartbeat-delay": 10000, "max-response-delay": 60000, "max-ack-delay": 5000, "max-unacked-clients": 5,
          "multi-threading": { "enable-multi-threading": true, "http-dedicated-listener": true,
                               "http-listener-threads": 2, "http-client-threads": 2 },
          "peers": [ { "name": "server1", "url": "http://127.0.0.1:8001/", "role": "primary", "auto-failover": true },
                     { "name": "server2", "url": "http://127.0.0.3:8002/", "role": "standby", "auto-failover": true } ]
      } ] } } ],
    "subnet4": [ { "id": 1, "subnet": "198.19.0.0/16", "pools": [ { "pool": "198.19.0.10 - 198.19.255.250" } ],
                   "relay": { "ip-addresses": [ "127.0.0.2" ] } } ],
    "loggers": [ { "name": "kea-dhcp4", "severity": "WARN", "output_options": [ { "output": "$KEA_RUN/s$n/kea.log" } ] } ]
} }
CONF
        ip netns exec "$NS" env KEA_PIDFILE_DIR="$KEA_RUN/s$n" KEA_LOCKFILE_DIR="$KEA_RUN/s$n" \
            kea-dhcp4 -c "$KEA_RUN/s$n/kea-dhcp4.conf" >"$KEA_RUN/s$n/kea.out" 2>&1 &
        echo $! >"$KEA_RUN/kea$n.pid"
    done
    for _ in $(seq 150); do
        local s1 s2
        s1=$(ip netns exec "$NS" curl -s -m 1 -X POST -H 'Content-Type: application/json' \
            -d '{"command":"ha-heartbeat","service":["dhcp4"]}' http://127.0.0.1:8001/ | jq -r '.[0].arguments.state' 2>/dev/null || true)
        s2=$(ip netns exec "$NS" curl -s -m 1 -X POST -H 'Content-Type: application/json' \
            -d '{"command":"ha-heartbeat","service":["dhcp4"]}' http://127.0.0.3:8002/ | jq -r '.[0].arguments.state' 2>/dev/null || true)
        [ "$s1" = hot-standby ] && [ "$s2" = hot-standby ] && return
        sleep 0.2
    done
    echo "the Kea HA pair did not reach hot-standby: $(cat "$KEA_RUN"/s*/kea.out)" >&2; exit 1
}

bench_kea_ha() {
    for rate in $RATES; do
        kea_ha_up
        step kea-ha "$rate" ip netns exec "$NS" perfdhcp -4 -l 127.0.0.2 127.0.0.1
    done
    kea_down
}

bench_kea() { # $1 memfile|pgsql
    for rate in $RATES; do
        kea_up "$1" # fresh leases for every step
        step "kea-$1" "$rate" ip netns exec "$NS" perfdhcp -4 -l 127.0.0.2 127.0.0.1
    done
    kea_down
}

trap kea_down EXIT
case "${1:-}" in
    tandem) bench_tandem tandem ;;
    tandem-pair) bench_tandem tandem-pair ;;
    kea-ha) bench_kea_ha ;;
    kea-memfile) bench_kea memfile ;;
    kea-pgsql) bench_kea pgsql ;;
    all) bench_tandem; bench_kea pgsql; bench_kea memfile ;;
    *) sed -n '2,18p' "$0"; exit 2 ;;
esac
