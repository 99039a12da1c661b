#!/usr/bin/env bash
# The whole Tandem system on one machine, without Docker: a throwaway PostgreSQL cluster, a KRaft Kafka broker from
# Maven Central jars, two servers in a failover relationship (dhcp-a: gateways on the relay side and on a directly
# attached segment, lease-service, coordinator; dhcp-b: relay-side gateway, lease-service, coordinator), the admin-api,
# a lab network of namespaces with a dhcrelay forwarding to both servers, and the demo configuration, made through the
# admin API on first start (demo.sh).
#
#   tandem-local.sh start            start everything (installs what is missing, builds if needed)
#   tandem-local.sh stop             stop what this script started (leases stay in the run directory)
#   tandem-local.sh status           what runs
#   tandem-local.sh purge            stop and delete the run directory
#   tandem-local.sh stop-service NAME [--kill]   /   start-service NAME    (NAME: lease-service, gateway,
#                                    gateway-direct, coordinator, lease-service-b, gateway-b, coordinator-b,
#                                    admin-api, dhcrelay)
#   tandem-local.sh freeze-service NAME | thaw-service NAME   stop a service with SIGSTOP (it holds its sockets and
#                                    connections but does nothing) / let it go on with SIGCONT
#   tandem-local.sh restart-postgres | restart-kafka   restart the database or the broker under the running services
#   tandem-local.sh ready            wait until every service is ready
#   tandem-local.sh partition | heal  take the failover link between the two servers down / up again
#   tandem-local.sh publish-config FILE...  publish server-config documents to tandem.config directly, bypassing the
#                                    admin API (its next change for that server replaces it)
#
# Settings (environment): TANDEM_RUN_DIR (/var/tmp/tandem-local), TANDEM_SERVER (dhcp-a), TANDEM_PG_PORT (55432),
# TANDEM_KAFKA_PORT (59092, +1 controller, +2 lab listener), TANDEM_HTTP_BASE (8080), TANDEM_NET_PREFIX (tandem),
# TANDEM_NET_INDEX (0), TANDEM_CONFIG_FILE and TANDEM_CONFIG_FILE_B (documents to publish instead of the demo; the
# system tests use them), TANDEM_ADMIN_PASSWORD and TANDEM_ADMIN_READER_PASSWORD (random if unset),
# TANDEM_RELAY_SERVERS (where dhcrelay forwards: the relay-side gateways of both servers), TANDEM_SKIP_BUILD (0);
# TANDEM_FAILOVER_STARTUP_TIME, TANDEM_FAILOVER_RECONNECT_INTERVAL and TANDEM_FAILOVER_POOL_BALANCE_INTERVAL pass
# through to the coordinators, TANDEM_LEASE_POOL_MISBALANCE_PERCENT and TANDEM_LEASE_OUTBOX_VACUUM_AFTER to the
# lease-services; TANDEM_KAFKA_LIB (/var/cache/tandem/kafka-4.3.1: the broker jars, kept across purges).
set -euo pipefail

HERE=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
ROOT=$(cd "$HERE/../.." && pwd)
RUN=${TANDEM_RUN_DIR:-/var/tmp/tandem-local}
SERVER=${TANDEM_SERVER:-dhcp-a}
PG_PORT=${TANDEM_PG_PORT:-55432}
KAFKA_PORT=${TANDEM_KAFKA_PORT:-59092}
CONTROLLER_PORT=$((KAFKA_PORT + 1))
LAB_KAFKA_PORT=$((KAFKA_PORT + 2))
HTTP_BASE=${TANDEM_HTTP_BASE:-8080}
# shellcheck source=net.sh
. "$(dirname "${BASH_SOURCE[0]}")/net.sh"
CONFIG_FILE=${TANDEM_CONFIG_FILE:-}
CONFIG_FILE_B=${TANDEM_CONFIG_FILE_B:-}
SERVER_B=dhcp-b
[ -n "$CONFIG_FILE_B" ] && SERVER_B=$(jq -r .server "$CONFIG_FILE_B" 2>/dev/null || echo dhcp-b)
PEER_KAFKA_PORT=$((KAFKA_PORT + 3))
PGBIN=/usr/lib/postgresql/15/bin
# The broker jars outlive run directories: a purge keeps them, so a new run does not fetch them again.
KLIB=${TANDEM_KAFKA_LIB:-/var/cache/tandem/kafka-4.3.1}
DB=tandem_${SERVER//-/_}
DB_B=tandem_${SERVER_B//-/_}
DB_ADMIN=tandem_admin
ADMIN_USER=admin

say() { printf '\033[1m[tandem]\033[0m %s\n' "$*"; }
die() { printf '[tandem] error: %s\n' "$*" >&2; exit 1; }

http_port() {
    case "$1" in
        gateway) echo "$HTTP_BASE" ;;
        lease-service) echo $((HTTP_BASE + 1)) ;;
        coordinator) echo $((HTTP_BASE + 2)) ;;
        gateway-direct) echo $((HTTP_BASE + 3)) ;;
        admin-api) echo $((HTTP_BASE + 10)) ;;
        gateway-b) echo $((HTTP_BASE + 20)) ;;
        lease-service-b) echo $((HTTP_BASE + 21)) ;;
        coordinator-b) echo $((HTTP_BASE + 22)) ;;
    esac
}

alive() { [ -f "$RUN/pids/$1.pid" ] && kill -0 "$(cat "$RUN/pids/$1.pid")" 2>/dev/null; }

wait_until() { # seconds description command...
    local limit=$1 what=$2; shift 2
    local deadline=$((SECONDS + limit))
    until "$@" >/dev/null 2>&1; do
        [ $SECONDS -lt $deadline ] || die "$what did not happen within ${limit}s (logs: $RUN/logs)"
        sleep 0.5
    done
}

port_open() { (exec 3<>"/dev/tcp/$1/$2") 2>/dev/null; }

await_listening() { # name host port seconds: its port answers; or it ended or took too long: why, from its log
    local deadline=$((SECONDS + $4))
    until port_open "$2" "$3"; do
        if ! alive "$1" || [ $SECONDS -ge $deadline ]; then
            tail -n 30 "$RUN/logs/$1.log" >&2 2>/dev/null || true
            die "$1 is not listening on $2:$3 ($(alive "$1" && echo "after $4 s" || echo "it ended")); the end of its log, $RUN/logs/$1.log, is above"
        fi
        sleep 0.5
    done
}

prerequisites() {
    [ "$(id -u)" = 0 ] || die "run as root (network namespaces, port 67)"
    local missing=()
    [ -x "$PGBIN/initdb" ] || missing+=(postgresql)
    command -v udhcpc >/dev/null || missing+=(udhcpc)
    command -v dhclient >/dev/null || missing+=(isc-dhcp-client)
    command -v dhcrelay >/dev/null || missing+=(isc-dhcp-relay)
    command -v perfdhcp >/dev/null || missing+=(kea-admin)
    command -v curl >/dev/null || missing+=(curl)
    command -v jq >/dev/null || missing+=(jq)
    command -v ip >/dev/null || missing+=(iproute2)
    if [ ${#missing[@]} -gt 0 ]; then
        say "Installing Debian packages: ${missing[*]}"
        apt-get update -q >/dev/null
        DEBIAN_FRONTEND=noninteractive apt-get install -y -q "${missing[@]}" >/dev/null
    fi
    command -v java >/dev/null || die "Java 17 is needed (openjdk-17-jdk)"
}

build() {
    local jars=("$ROOT"/{lease-service,packet-gateway,failover-coordinator,admin-api}/target/quarkus-app/quarkus-run.jar)
    local need=0
    for j in "${jars[@]}"; do [ -f "$j" ] || need=1; done
    if [ "$need" = 1 ] && [ "${TANDEM_SKIP_BUILD:-0}" != 1 ]; then
        say "Building the services (Maven Wrapper downloads Maven on first use)"
        (cd "$ROOT" && ./mvnw -B -q package -DskipTests -Dspotless.check.skip=true)
    fi
    for j in "${jars[@]}"; do [ -f "$j" ] || die "missing $j: build with ./mvnw package -DskipTests"; done
}

start_postgres() {
    if [ -f "$RUN/pg/data/postmaster.pid" ] && runuser -u postgres -- "$PGBIN/pg_ctl" -D "$RUN/pg/data" status >/dev/null 2>&1; then
        return
    fi
    mkdir -p "$RUN/pg/sock"
    chown -R postgres "$RUN/pg"
    if [ ! -f "$RUN/pg/data/PG_VERSION" ]; then
        say "Creating a PostgreSQL cluster in $RUN/pg/data (durable: fsync on)"
        runuser -u postgres -- "$PGBIN/initdb" -D "$RUN/pg/data" -U postgres --auth=trust -E UTF8 >/dev/null
    fi
    say "Starting PostgreSQL on 127.0.0.1:$PG_PORT"
    runuser -u postgres -- "$PGBIN/pg_ctl" -D "$RUN/pg/data" -l "$RUN/pg/postgres.log" -w \
        -o "-p $PG_PORT -k $RUN/pg/sock -c listen_addresses=127.0.0.1 -c fsync=on -c synchronous_commit=on -c max_connections=200" \
        start >/dev/null
    psql -q -h 127.0.0.1 -p "$PG_PORT" -U postgres -tc "SELECT 1 FROM pg_roles WHERE rolname = 'tandem'" | grep -q 1 \
        || psql -q -h 127.0.0.1 -p "$PG_PORT" -U postgres -c "CREATE ROLE tandem LOGIN PASSWORD 'tandem'"
    for db in "$DB" "$DB_B" "$DB_ADMIN"; do
        psql -q -h 127.0.0.1 -p "$PG_PORT" -U postgres -tc "SELECT 1 FROM pg_database WHERE datname = '$db'" | grep -q 1 \
            || psql -q -h 127.0.0.1 -p "$PG_PORT" -U postgres -c "CREATE DATABASE $db OWNER tandem"
    done
}

start_kafka() {
    if alive kafka; then return; fi
    if [ ! -f "$KLIB/.complete" ]; then
        say "Fetching the Kafka 4.3.1 broker jars from Maven Central into $KLIB"
        rm -rf "$KLIB.partial"
        (cd "$ROOT" && ./mvnw -B -q -f deploy/local/kafka/pom.xml dependency:copy-dependencies \
            -DoutputDirectory="$KLIB.partial")
        touch "$KLIB.partial/.complete"
        rm -rf "$KLIB"
        mv "$KLIB.partial" "$KLIB"
    fi
    mkdir -p "$RUN/kafka/data"
    cat > "$RUN/kafka/server.properties" <<PROPS
process.roles=broker,controller
node.id=1
controller.quorum.voters=1@127.0.0.1:$CONTROLLER_PORT
listeners=PLAINTEXT://127.0.0.1:$KAFKA_PORT,CONTROLLER://127.0.0.1:$CONTROLLER_PORT,LAB://$DIRECT_LINK.1:$LAB_KAFKA_PORT,PEER://$PEER_KAFKA_LINK.1:$PEER_KAFKA_PORT
advertised.listeners=PLAINTEXT://127.0.0.1:$KAFKA_PORT,LAB://$DIRECT_LINK.1:$LAB_KAFKA_PORT,PEER://$PEER_KAFKA_LINK.1:$PEER_KAFKA_PORT
listener.security.protocol.map=PLAINTEXT:PLAINTEXT,CONTROLLER:PLAINTEXT,LAB:PLAINTEXT,PEER:PLAINTEXT
controller.listener.names=CONTROLLER
inter.broker.listener.name=PLAINTEXT
log.dirs=$RUN/kafka/data
num.partitions=4
offsets.topic.replication.factor=1
transaction.state.log.replication.factor=1
transaction.state.log.min.isr=1
group.initial.rebalance.delay.ms=0
auto.create.topics.enable=false
PROPS
    if [ ! -f "$RUN/kafka/data/meta.properties" ]; then
        java -cp "$KLIB/*" kafka.tools.StorageTool format -t "$(java -cp "$KLIB/*" kafka.tools.StorageTool random-uuid)" \
            -c "$RUN/kafka/server.properties" >/dev/null
    fi
    say "Starting Kafka (KRaft) on 127.0.0.1:$KAFKA_PORT and $DIRECT_LINK.1:$LAB_KAFKA_PORT"
    nohup java -Xms256m -Xmx512m -cp "$KLIB/*" kafka.Kafka "$RUN/kafka/server.properties" >"$RUN/logs/kafka.log" 2>&1 &
    echo $! >"$RUN/pids/kafka.pid"
    await_listening kafka 127.0.0.1 "$KAFKA_PORT" 90
    local topics=(tandem.config:1:compact tandem.lease-events:4:delete tandem.scope-statistics:1:compact)
    for s in "$SERVER" "$SERVER_B"; do
        topics+=("tandem.$s.lease-requests:4:delete" "tandem.$s.lease-replies:4:delete"
            "tandem.$s.failover-state:1:compact" "tandem.$s.binding-updates:1:delete"
            "tandem.$s.binding-acks:1:delete" "tandem.$s.partner-updates:4:delete"
            "tandem.$s.partner-update-replies:1:delete" "tandem.$s.failover-commands:1:delete"
            "tandem.$s.service-health:1:delete")
    done
    java -cp "$KLIB/*" "$HERE/kafka/CreateTopics.java" "127.0.0.1:$KAFKA_PORT" "${topics[@]}" >>"$RUN/logs/topics.log" 2>&1 \
        || die "could not create the topics: $RUN/logs/topics.log"
}

publish_config() { # file...: one producer for them all
    local file records=
    for file in "$@"; do
        [ -f "$file" ] || die "no configuration file $file"
        jq -e . "$file" >/dev/null || die "$file is not valid JSON"
        say "Publishing configuration of $(jq -r .server "$file") (revision $(jq -r .revision "$file")) from $file to tandem.config"
        records+=$(printf '%s\t%s\n' "$(jq -r .server "$file")" "$(jq -c . "$file")")$'\n'
    done
    printf '%s' "$records" | java -cp "$KLIB/*" org.apache.kafka.tools.ConsoleProducer \
        --bootstrap-server "127.0.0.1:$KAFKA_PORT" --topic tandem.config --producer-property acks=all \
        --reader-property parse.key=true --reader-property "key.separator=$(printf '\t')" >>"$RUN/logs/config.log" 2>&1
}

java_env() { # name -> env assignments for the service
    local server=$SERVER db=$DB
    case "$1" in *-b) server=$SERVER_B db=$DB_B ;; esac
    # HTTP (health, metrics, the APIs) on loopback; the services in a lab namespace on that namespace's addresses
    local host=127.0.0.1
    [ -n "$(in_ns "$1")" ] && host=0.0.0.0
    local common=(PATH="$PATH" HOME="${HOME:-/root}" TANDEM_SERVER="$server" QUARKUS_HTTP_PORT="$(http_port "$1")"
        QUARKUS_HTTP_HOST="$host")
    local timing=() leasing=() v
    for v in TANDEM_FAILOVER_STARTUP_TIME TANDEM_FAILOVER_RECONNECT_INTERVAL TANDEM_FAILOVER_POOL_BALANCE_INTERVAL; do
        [ -n "${!v:-}" ] && timing+=("$v=${!v}")
    done
    [ -n "${TANDEM_LEASE_POOL_MISBALANCE_PERCENT:-}" ] \
        && leasing+=(TANDEM_LEASE_POOL_MISBALANCE_PERCENT="$TANDEM_LEASE_POOL_MISBALANCE_PERCENT")
    [ -n "${TANDEM_LEASE_OUTBOX_VACUUM_AFTER:-}" ] && leasing+=(TANDEM_LEASE_OUTBOX_VACUUM_AFTER="$TANDEM_LEASE_OUTBOX_VACUUM_AFTER")
    case "$1" in
        lease-service | lease-service-b)
            echo "${common[@]}" "${leasing[@]}" KAFKA_BOOTSTRAP_SERVERS=127.0.0.1:$KAFKA_PORT \
                QUARKUS_DATASOURCE_REACTIVE_URL=postgresql://127.0.0.1:$PG_PORT/$db \
                QUARKUS_DATASOURCE_JDBC_URL=jdbc:postgresql://127.0.0.1:$PG_PORT/$db \
                QUARKUS_DATASOURCE_USERNAME=tandem QUARKUS_DATASOURCE_PASSWORD=tandem ;;
        gateway)
            echo "${common[@]}" KAFKA_BOOTSTRAP_SERVERS=127.0.0.1:$KAFKA_PORT TANDEM_GATEWAY_LISTEN_ADDRESS=$RELAY_LINK.1 ;;
        gateway-b)
            echo "${common[@]}" KAFKA_BOOTSTRAP_SERVERS=127.0.0.1:$KAFKA_PORT TANDEM_GATEWAY_LISTEN_ADDRESS=$GATEWAY_B ;;
        coordinator)
            echo "${common[@]}" "${timing[@]}" KAFKA_BOOTSTRAP_SERVERS=127.0.0.1:$KAFKA_PORT \
                TANDEM_COMMAND_TOKEN="$(cat "$RUN/admin/command-token")" ;;
        coordinator-b)
            echo "${common[@]}" "${timing[@]}" KAFKA_BOOTSTRAP_SERVERS=$PEER_KAFKA_LINK.1:$PEER_KAFKA_PORT \
                TANDEM_COMMAND_TOKEN="$(cat "$RUN/admin/command-token")" ;;
        gateway-direct)
            echo "${common[@]}" KAFKA_BOOTSTRAP_SERVERS=$DIRECT_LINK.1:$LAB_KAFKA_PORT TANDEM_GATEWAY_LISTEN_ADDRESS=0.0.0.0 \
                TANDEM_GATEWAY_DIRECT_SUBNET=$DIRECT_LAN.0/24 TANDEM_GATEWAY_BROADCAST_ADDRESS=$DIRECT_LAN.255 \
                TANDEM_GATEWAY_SERVER_IDENTIFIER=$DIRECT_LAN.1 ;;
        admin-api)
            echo "${common[@]}" KAFKA_BOOTSTRAP_SERVERS=127.0.0.1:$KAFKA_PORT \
                QUARKUS_DATASOURCE_JDBC_URL=jdbc:postgresql://127.0.0.1:$PG_PORT/$DB_ADMIN \
                QUARKUS_DATASOURCE_USERNAME=tandem QUARKUS_DATASOURCE_PASSWORD=tandem \
                TANDEM_ADMIN_USERS_FILE="$RUN/admin/users" TANDEM_ADMIN_SECRET_KEY="$(cat "$RUN/admin/secret-key")" \
                TANDEM_ADMIN_COORDINATOR_TOKEN="$(cat "$RUN/admin/command-token")" ;;
    esac
}

admin_credentials() { # users file (PBKDF2 hashes) and the key that encrypts relationship secrets, made once per run dir
    mkdir -p "$RUN/admin"
    chmod 700 "$RUN/admin"
    [ -f "$RUN/admin/secret-key" ] || head -c 32 /dev/urandom | base64 >"$RUN/admin/secret-key"
    # the coordinators' command credential (partner-down, maintenance), which the admin API presents
    [ -f "$RUN/admin/command-token" ] || head -c 24 /dev/urandom | base64 | tr -d '/+=' >"$RUN/admin/command-token"
    chmod 600 "$RUN/admin/secret-key" "$RUN/admin/command-token"
    if [ ! -f "$RUN/admin/users" ]; then
        local password=${TANDEM_ADMIN_PASSWORD:-$(head -c 12 /dev/urandom | base64 | tr -d '/+=')}
        local reader=${TANDEM_ADMIN_READER_PASSWORD:-$(head -c 12 /dev/urandom | base64 | tr -d '/+=')}
        local jar=("$ROOT"/admin-api/target/quarkus-app/app/admin-api-*.jar)
        {
            echo "$ADMIN_USER:admin:$(printf '%s\n' "$password" | java -cp "${jar[0]}" dev.tandem.admin.security.PasswordHashes)"
            echo "viewer:reader:$(printf '%s\n' "$reader" | java -cp "${jar[0]}" dev.tandem.admin.security.PasswordHashes)"
        } >"$RUN/admin/users"
        printf 'admin %s\nviewer %s\n' "$password" "$reader" >"$RUN/admin/passwords"
        chmod 600 "$RUN/admin/users" "$RUN/admin/passwords" "$RUN/admin/secret-key"
    fi
}

module_of() {
    case "$1" in
        lease-service | lease-service-b) echo lease-service ;;
        gateway | gateway-direct | gateway-b) echo packet-gateway ;;
        coordinator | coordinator-b) echo failover-coordinator ;;
        admin-api) echo admin-api ;;
    esac
}

ready_url() { echo "http://127.0.0.1:$(http_port "$1")/q/health/ready"; }

in_ns() { # name -> namespace prefix command
    case "$1" in
        gateway-direct) echo "ip netns exec $P-direct" ;;
        coordinator-b) echo "ip netns exec $P-peer" ;;
    esac
}

start_service() {
    local name=$1
    if alive "$name"; then say "$name already runs (pid $(cat "$RUN/pids/$name.pid"))"; return; fi
    if [ "$name" = dhcrelay ]; then
        # shellcheck disable=SC2086
        nohup ip netns exec "$P-relay" dhcrelay -4 -d -q --no-pid -id "${P}l0" -id "${P}m0" -iu "${P}r1" -iu "${P}i0" \
            ${TANDEM_RELAY_SERVERS:-$RELAY_LINK.1 $GATEWAY_B} \
            >"$RUN/logs/dhcrelay.log" 2>&1 &
        echo $! >"$RUN/pids/dhcrelay.pid"
        return
    fi
    # Each gateway instance reads its own partition of the reply topic (SmallRye Request-Reply reply.partition), so
    # no gateway decodes the replies meant for another. A system property names the channel exactly.
    local props=()
    case "$name" in
        gateway) props=(-Dmp.messaging.outgoing.lease-requests.reply.partition=0) ;;
        gateway-direct) props=(-Dmp.messaging.outgoing.lease-requests.reply.partition=1) ;;
        gateway-b) props=(-Dmp.messaging.outgoing.lease-requests.reply.partition=0) ;;
    esac
    # shellcheck disable=SC2046
    nohup $(in_ns "$name") env -i $(java_env "$name") java -Xms384m -Xmx384m -XX:NewRatio=1 -XX:+UseSerialGC "${props[@]}" \
        -jar "$ROOT/$(module_of "$name")/target/quarkus-app/quarkus-run.jar" >>"$RUN/logs/$name.log" 2>&1 &
    echo $! >"$RUN/pids/$name.pid"
}

await_ready() {
    local name=$1
    # shellcheck disable=SC2046
    wait_until 120 "$name ready" $(in_ns "$name") curl -sf "$(ready_url "$name")"
}

stop_service() { stop_services "${2:-TERM}" "$1"; }

signal_service() { # name signal: only a process this script started, by its recorded pid
    alive "$1" || die "$1 does not run"
    kill "-$2" "$(cat "$RUN/pids/$1.pid")"
}

stop_services() { # signal name... : signals them all at once, then waits up to 30 s for them together
    local signal=$1 name pid pids=()
    shift
    for name in "$@"; do
        [ -f "$RUN/pids/$name.pid" ] || continue
        pid=$(cat "$RUN/pids/$name.pid")
        if kill -0 "$pid" 2>/dev/null; then
            kill "-$signal" "$pid" 2>/dev/null || true
            pids+=("$pid")
        fi
        rm -f "$RUN/pids/$name.pid"
    done
    local deadline=$((SECONDS + 30))
    for pid in "${pids[@]}"; do
        while kill -0 "$pid" 2>/dev/null && [ $SECONDS -lt $deadline ]; do sleep 0.2; done
        kill -0 "$pid" 2>/dev/null && kill -KILL "$pid" 2>/dev/null || true
    done
}

SERVICES=(lease-service gateway gateway-direct coordinator lease-service-b gateway-b coordinator-b admin-api)

start() {
    prerequisites
    if alive kafka || alive lease-service; then
        say "Tandem already runs from $RUN; 'deploy/local/tandem-local.sh status' tells what, 'stop' stops it."
        exit 0
    fi
    build
    mkdir -p "$RUN/pids" "$RUN/logs"
    chmod 755 "$RUN"
    if ! ip netns list | grep -qw "$P-relay"; then
        say "Creating the lab network (namespaces $P-relay, $P-lan, $P-direct, $P-dlan)"
        "$HERE/lab.sh" up
    fi
    start_postgres
    start_kafka
    admin_credentials
    say "Starting the services of $SERVER and $SERVER_B and the admin-api"
    for s in "${SERVICES[@]}"; do start_service "$s"; done # each waits for its configuration on the bus
    if [ -n "$CONFIG_FILE" ]; then
        # Configuration documents from files, bypassing the admin API (the system tests use this).
        publish_config "$CONFIG_FILE" ${CONFIG_FILE_B:+"$CONFIG_FILE_B"}
    elif [ ! -f "$RUN/admin/demo-loaded" ]; then
        await_ready admin-api
        say "Configuring the demo through the admin API (deploy/local/demo.sh)"
        TANDEM_ADMIN_URL="http://127.0.0.1:$(http_port admin-api)" TANDEM_SERVER="$SERVER" TANDEM_SERVER_B="$SERVER_B" \
            TANDEM_ADMIN_CREDENTIALS="$ADMIN_USER:$(awk '$1 == "admin" {print $2}' "$RUN/admin/passwords")" \
            TANDEM_COORDINATOR_URL="http://127.0.0.1:$(http_port coordinator)" \
            TANDEM_COORDINATOR_URL_B="http://$PEER_KAFKA_LINK.2:$(http_port coordinator-b)" \
            "$HERE/demo.sh" >>"$RUN/logs/demo.log" 2>&1 || die "the demo configuration failed: $RUN/logs/demo.log"
        touch "$RUN/admin/demo-loaded"
    fi
    for s in "${SERVICES[@]}"; do await_ready "$s"; done
    start_service dhcrelay
    cat <<INFO
$(say "Tandem runs.")
  PostgreSQL      127.0.0.1:$PG_PORT   databases $DB, $DB_B, $DB_ADMIN (user tandem)   data in $RUN/pg/data
  Kafka           127.0.0.1:$KAFKA_PORT   topics tandem.config, tandem.lease-events, tandem.<server>.*
  $SERVER (primary)
    gateway         DHCP $RELAY_LINK.1:67 (relayed traffic)   http://127.0.0.1:$(http_port gateway)/q/health
    gateway-direct  DHCP 0.0.0.0:67 in namespace $P-direct on $DIRECT_LAN.0/24 (direct clients)
    lease-service   http://127.0.0.1:$(http_port lease-service)/q/health   metrics /q/metrics
    coordinator     failover $FO_LINK.1:647   http://127.0.0.1:$(http_port coordinator)/api/v1/relationships
  $SERVER_B (secondary)
    gateway-b       DHCP $GATEWAY_B:67 (relayed traffic)   http://127.0.0.1:$(http_port gateway-b)/q/health
    lease-service-b http://127.0.0.1:$(http_port lease-service-b)/q/health
    coordinator-b   failover $FO_LINK.2:647 in namespace $P-peer
                    ip netns exec $P-peer curl -s http://127.0.0.1:$(http_port coordinator-b)/api/v1/relationships
  admin-api       http://127.0.0.1:$(http_port admin-api)/api/v1/servers  (Swagger UI /q/swagger-ui)
                  users and passwords in $RUN/admin/passwords; the coordinators' command credential
                  (partner-down, maintenance; the admin API presents it) in $RUN/admin/command-token
  dhcrelay        namespace $P-relay: $RELAY_LAN.1 (LAN $P-lan, $SERVER only) and $FO_LAN.1 (LAN $P-lan2, the pair)
                  -> $RELAY_LINK.1 and $GATEWAY_B
  logs            $RUN/logs

Get a lease through the relay:      ip netns exec $P-lan udhcpc -i ${P}l1 -f -q -n
Get a lease from the failover pair: ip netns exec $P-lan2 udhcpc -i ${P}m1 -f -q -n
Get a lease on the direct segment:  ip netns exec $P-dlan dhclient -v -1 -sf /bin/true ${P}d1
Watch lease events:                 java -cp '$KLIB/*' org.apache.kafka.tools.consumer.ConsoleConsumer \\
                                      --bootstrap-server 127.0.0.1:$KAFKA_PORT --topic tandem.lease-events --from-beginning
Stop:                               deploy/local/tandem-local.sh stop
INFO
}

stop() { # [KILL]: a purge deletes everything after, so its services need no graceful stop
    [ -d "$RUN/pids" ] || { say "Nothing runs from $RUN"; return; }
    say "Stopping what this script started in $RUN"
    local signal=${1:-TERM}
    stop_services "$signal" dhcrelay "${SERVICES[@]}"
    stop_service kafka "$signal"
    if [ -f "$RUN/pg/data/postmaster.pid" ]; then
        runuser -u postgres -- "$PGBIN/pg_ctl" -D "$RUN/pg/data" -m "$([ "$signal" = KILL ] && echo immediate || echo fast)" \
            -w stop >/dev/null 2>&1 || true
    fi
    "$HERE/lab.sh" down
    say "Stopped (leases and topics stay in $RUN; 'purge' deletes them)"
}

status() {
    for s in postgres kafka "${SERVICES[@]}" dhcrelay; do
        if [ "$s" = postgres ]; then
            if [ -f "$RUN/pg/data/postmaster.pid" ]; then echo "postgres: runs"; else echo "postgres: stopped"; fi
        elif alive "$s"; then echo "$s: runs (pid $(cat "$RUN/pids/$s.pid"))"; else echo "$s: stopped"; fi
    done
}

case "${1:-}" in
    start) start ;;
    stop) stop ;;
    status) status ;;
    purge) stop KILL; rm -rf "$RUN"; say "Deleted $RUN" ;;
    start-service) start_service "$2"; [ "$2" = dhcrelay ] || await_ready "$2" ;;
    stop-service) stop_service "$2" "$([ "${3:-}" = --kill ] && echo KILL || echo TERM)" ;;
    freeze-service) signal_service "$2" STOP; say "$2 frozen (SIGSTOP); 'thaw-service $2' lets it go on" ;;
    thaw-service) signal_service "$2" CONT; say "$2 goes on (SIGCONT)" ;;
    restart-postgres)
        say "Restarting PostgreSQL (fast shutdown: open connections are cut)"
        runuser -u postgres -- "$PGBIN/pg_ctl" -D "$RUN/pg/data" -m fast -w stop >/dev/null
        start_postgres ;;
    ready) for s in "${SERVICES[@]}"; do await_ready "$s"; done; say "Every service is ready" ;;
    restart-kafka) say "Restarting Kafka"; stop_service kafka TERM; start_kafka ;;
    publish-config) shift; publish_config "$@" ;;
    partition) "$HERE/lab.sh" partition; say "Failover link down: $SERVER and $SERVER_B cannot reach each other" ;;
    heal) "$HERE/lab.sh" heal; say "Failover link up again" ;;
    *) sed -n '2,30p' "$0"; exit 2 ;;
esac
