#!/usr/bin/env bash
# The whole Tandem system on one machine, without Docker: a throwaway PostgreSQL cluster per server, a KRaft Kafka
# broker from Maven Central jars (or one per server), two servers in a failover relationship (dhcp-a: gateways on the
# relay side and on a directly attached segment, lease-service, coordinator; dhcp-b: relay-side gateway,
# lease-service, coordinator), the admin-api,
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
#   tandem-local.sh restart-postgres|stop-postgres|start-postgres [SERVER] [--kill]   the databases under the running
#                                    services: both servers', or one server's (each has a PostgreSQL of its own);
#                                    --kill stops as a crash would (PostgreSQL's immediate shutdown, a broker's
#                                    kill -9)
#   tandem-local.sh restart-kafka|stop-kafka|start-kafka [SERVER] [--kill]   the same for Kafka (one broker for both servers, or
#                                    each its own with TANDEM_KAFKA_PER_SERVER=1)
#   tandem-local.sh ready            wait until every service is ready
#   tandem-local.sh partition | heal  take the failover link between the two servers down / up again
#   tandem-local.sh publish-config FILE...  publish server-config documents to tandem.config directly, bypassing the
#                                    admin API (its next change for that server replaces it)
#
# Settings (environment): TANDEM_RUN_DIR (/var/tmp/tandem-local), TANDEM_SERVER (dhcp-a), TANDEM_PG_PORT (55432; the
# second server's PostgreSQL listens on the next port),
# TANDEM_KAFKA_PORT (59092, +1 controller, +2 lab listener), TANDEM_HTTP_BASE (8080), TANDEM_NET_PREFIX (tandem),
# TANDEM_NET_INDEX (0), TANDEM_CONFIG_FILE and TANDEM_CONFIG_FILE_B (documents to publish instead of the demo; the
# system tests use them), TANDEM_ADMIN_PASSWORD and TANDEM_ADMIN_READER_PASSWORD (random if unset),
# TANDEM_RELAY_SERVERS (where dhcrelay forwards: the relay-side gateways of both servers), TANDEM_SKIP_BUILD (0);
# TANDEM_FAILOVER_STARTUP_TIME, TANDEM_FAILOVER_RECONNECT_INTERVAL and TANDEM_FAILOVER_POOL_BALANCE_INTERVAL pass
# through to the coordinators, TANDEM_LEASE_POOL_MISBALANCE_PERCENT, TANDEM_LEASE_OUTBOX_VACUUM_AFTER,
# TANDEM_DDNS_ENABLED and TANDEM_DDNS_KEY_FILE (docs/ddns.md; a file under the sources or the run directory) to the
# lease-services; TANDEM_KAFKA_PER_SERVER (0; 1: each server has a Kafka of its own, the second on TANDEM_KAFKA_PORT +
# 10, with tandem.config mirrored to it and its lease events back); TANDEM_KAFKA_LIB (/var/cache/tandem/kafka-4.3.1:
# the broker jars, kept across purges); QUARKUS_LOG_CONSOLE_JSON_ENABLED (true: the services log JSON lines);
# TANDEM_RUNTIME (java; podman: each service runs from its image, built by deploy/images/build.sh when missing, in a
# container of podman from Debian on the host network or in its lab namespace; kept for the run directory's later
# commands).
set -euo pipefail

HERE=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
ROOT=$(cd "$HERE/../.." && pwd)
RUN=${TANDEM_RUN_DIR:-/var/tmp/tandem-local}
SERVER=${TANDEM_SERVER:-dhcp-a}
PG_PORT=${TANDEM_PG_PORT:-55432}
PG_PORT_B=$((PG_PORT + 1))
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
KAFKA_PER_SERVER=${TANDEM_KAFKA_PER_SERVER:-}
KAFKA_B_PORT=$((KAFKA_PORT + 10)) # the second server's own Kafka, with TANDEM_KAFKA_PER_SERVER=1 (+1 controller, +3 peer)
# How the services run: java processes, or containers from their images (podman). A run directory keeps the choice.
RUNTIME=${TANDEM_RUNTIME:-$(cat "$RUN/runtime" 2>/dev/null || echo java)}
IMAGE_TAG=${TANDEM_IMAGE_TAG:-$(sed -n 's:^    <version>\(.*\)</version>$:\1:p' "$ROOT/pom.xml" | head -1)}
PODMAN=(podman --runtime runc --cgroup-manager cgroupfs)
export CONTAINERS_CONF=${CONTAINERS_CONF:-/var/cache/tandem/images/containers.conf}
PGBIN=/usr/lib/postgresql/15/bin
# The broker jars outlive run directories: a purge keeps them, so a new run does not fetch them again.
KLIB=${TANDEM_KAFKA_LIB:-/var/cache/tandem/kafka-4.3.1}
DB=tandem_${SERVER//-/_}
DB_B=tandem_${SERVER_B//-/_}
DB_ADMIN=tandem_admin
ADMIN_USER=admin

say() { printf '\033[1m[tandem]\033[0m %s\n' "$*"; }
die() { printf '[tandem] error: %s\n' "$*" >&2; exit 1; }

# Whether each server has its own Kafka is the run directory's, chosen at its first start: later commands follow it.
if [ -f "$RUN/kafka-per-server" ]; then
    [ -z "$KAFKA_PER_SERVER" ] || [ "$KAFKA_PER_SERVER" = "$(cat "$RUN/kafka-per-server")" ] \
        || die "$RUN was started with TANDEM_KAFKA_PER_SERVER=$(cat "$RUN/kafka-per-server") ('purge' to change it)"
    KAFKA_PER_SERVER=$(cat "$RUN/kafka-per-server")
fi
KAFKA_PER_SERVER=${KAFKA_PER_SERVER:-0}

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

images() { # the service images, for TANDEM_RUNTIME=podman: built (with their base) where missing or older than the build
    local service missing=0 image built
    for service in packet-gateway lease-service failover-coordinator admin-api; do
        image=ghcr.io/tandem-dhcp/$service:$IMAGE_TAG
        built=$(cat "$ROOT/$service"/target/quarkus-app/app/*.jar "$ROOT/$service"/target/quarkus-app/quarkus/*.jar \
            | sha256sum | cut -c1-16) # as deploy/images/build.sh labels it
        command -v podman >/dev/null && "${PODMAN[@]}" image exists "$image" \
            && [ "$("${PODMAN[@]}" image inspect -f '{{index .Labels "dev.tandem.app"}}' "$image")" = "$built" ] \
            || missing=1
    done
    if [ "$missing" = 1 ]; then
        say "Building the service images (deploy/images/build.sh)"
        TANDEM_SKIP_BUILD=1 TANDEM_IMAGE_TAG=$IMAGE_TAG "$ROOT/deploy/images/build.sh" || die "the images could not be built"
    fi
}

start_container() { # name java-options...: the service from its image; its java, a process of this machine, recorded
    local name=$1 net=host ns
    shift
    ns=$(in_ns "$name")
    [ -n "$ns" ] && net=ns:/run/netns/${ns##* }
    local envs=() kv
    # shellcheck disable=SC2046
    for kv in $(java_env "$name"); do envs+=(--env "$kv"); done
    # The run directory (passwords, keys) and the sources (configuration files) at the same paths; root, as the
    # services run here, to read the run directory's secrets (the chart runs them as user 185).
    nohup "${PODMAN[@]}" run --rm --replace --name "$P-$name" --network "$net" --user 0 \
        -v "$RUN:$RUN" -v "$ROOT:$ROOT:ro" "${envs[@]}" --entrypoint java \
        "ghcr.io/tandem-dhcp/$(module_of "$name"):$IMAGE_TAG" "$@" -jar /deployments/quarkus-run.jar \
        >>"$RUN/logs/$name.log" 2>&1 &
    local pid=0 deadline=$((SECONDS + 60))
    while [ "$pid" = 0 ] && [ $SECONDS -lt $deadline ]; do
        pid=$("${PODMAN[@]}" inspect -f '{{.State.Pid}}' "$P-$name" 2>/dev/null || echo 0)
        [ -n "$pid" ] || pid=0
        [ "$pid" != 0 ] || sleep 0.2
    done
    [ "$pid" != 0 ] || die "$name's container did not start (logs: $RUN/logs/$name.log)"
    # stop, kill, freeze and thaw signal it as they do a java process started here
    echo "$pid" >"$RUN/pids/$name.pid"
}

# Database credentials, made once per run directory ($RUN/db, mode 700): a role per service with least privilege, its
# password random. The lease-services' role owns the lease databases and the admin-api's its own; neither may even
# connect to the other's. The superuser 'postgres' is for this script (over the cluster's socket as the postgres user)
# and for tests that inspect the tables; every TCP connection needs its password (scram-sha-256).
LEASE_ROLE=tandem_lease
ADMIN_ROLE=tandem_admin
db_credentials() {
    mkdir -p "$RUN/db"
    chmod 700 "$RUN/db"
    local r
    for r in postgres "$LEASE_ROLE" "$ADMIN_ROLE"; do
        [ -s "$RUN/db/$r.password" ] || (umask 077 && head -c 18 /dev/urandom | base64 | tr '+/' '-_' >"$RUN/db/$r.password")
    done
    (
        umask 077
        for r in postgres "$LEASE_ROLE" "$ADMIN_ROLE"; do echo "127.0.0.1:*:*:$r:$(cat "$RUN/db/$r.password")"; done             >"$RUN/db/pgpass"
    )
}
export PGPASSFILE=$RUN/db/pgpass

pg_super() { # dir port psql-args...: psql as the superuser over the cluster's socket
    local dir=$1 port=$2
    shift 2
    runuser -u postgres -- psql -X -q -h "$dir/sock" -p "$port" -U postgres "$@"
}

start_cluster() { # dir port role:database...: one PostgreSQL cluster, its roles and databases
    local dir=$1 port=$2
    shift 2
    if [ -f "$dir/data/postmaster.pid" ] && runuser -u postgres -- "$PGBIN/pg_ctl" -D "$dir/data" status >/dev/null 2>&1; then
        return
    fi
    mkdir -p "$dir/sock"
    chown -R postgres "$dir"
    if [ ! -f "$dir/data/PG_VERSION" ]; then
        say "Creating a PostgreSQL cluster in $dir/data (durable: fsync on)"
        runuser -u postgres -- "$PGBIN/initdb" -D "$dir/data" -U postgres --auth-local=peer --auth-host=scram-sha-256 \
            -E UTF8 >/dev/null
    fi
    # the superuser over the socket as the postgres user; everyone over TCP with a password (a run directory made when
    # every connection was trusted gets this too)
    printf '%s\n' "local all postgres peer" "host all all 127.0.0.1/32 scram-sha-256" >"$dir/data/pg_hba.conf"
    say "Starting PostgreSQL on 127.0.0.1:$port for ${*#*:}"
    runuser -u postgres -- "$PGBIN/pg_ctl" -D "$dir/data" -l "$dir/postgres.log" -w \
        -o "-p $port -k $dir/sock -c listen_addresses=127.0.0.1 -c fsync=on -c synchronous_commit=on -c max_connections=200" \
        start >/dev/null
    pg_super "$dir" "$port" -c "ALTER ROLE postgres PASSWORD '$(cat "$RUN/db/postgres.password")'"
    local pair role db
    for pair in "$@"; do
        role=${pair%%:*} db=${pair#*:}
        pg_super "$dir" "$port" -tc "SELECT 1 FROM pg_roles WHERE rolname = '$role'" | grep -q 1 \
            || pg_super "$dir" "$port" -c "CREATE ROLE $role LOGIN"
        pg_super "$dir" "$port" -c "ALTER ROLE $role NOSUPERUSER NOCREATEDB NOCREATEROLE PASSWORD '$(cat "$RUN/db/$role.password")'"
        pg_super "$dir" "$port" -tc "SELECT 1 FROM pg_database WHERE datname = '$db'" | grep -q 1 \
            || pg_super "$dir" "$port" -c "CREATE DATABASE $db OWNER $role"
        # a database of the time of one shared role 'tandem' goes to its service's own
        if pg_super "$dir" "$port" -tc "SELECT 1 FROM pg_roles WHERE rolname = 'tandem'" | grep -q 1; then
            pg_super "$dir" "$port" -d "$db" -c "REASSIGN OWNED BY tandem TO $role"
        fi
        pg_super "$dir" "$port" -c "ALTER DATABASE $db OWNER TO $role" -c "REVOKE ALL ON DATABASE $db FROM PUBLIC"
    done
    # the shared role itself: it may still own a database kept aside (${DB_B}_moved), but it logs in no more
    if pg_super "$dir" "$port" -tc "SELECT 1 FROM pg_roles WHERE rolname = 'tandem'" | grep -q 1; then
        pg_super "$dir" "$port" -c "ALTER ROLE tandem NOLOGIN PASSWORD NULL"
        pg_super "$dir" "$port" -c "DROP ROLE tandem" >/dev/null 2>&1 || true
    fi
}

stop_cluster() { # dir [KILL]
    [ -f "$1/data/postmaster.pid" ] || return 0
    runuser -u postgres -- "$PGBIN/pg_ctl" -D "$1/data" -m "$([ "${2:-}" = KILL ] && echo immediate || echo fast)" \
        -w stop >/dev/null 2>&1 || true
}

# Each server has a PostgreSQL of its own, as two failure domains: the loss of one server's database makes that server
# hand its share to the partner (fate-sharing), where one database for both would stop the whole site. The admin-api's
# database lives with the first server's.
start_postgres() { # [server]: both clusters by default
    db_credentials
    if [ "${1:-$SERVER}" = "$SERVER" ]; then
        start_cluster "$RUN/pg" "$PG_PORT" "$LEASE_ROLE:$DB" "$ADMIN_ROLE:$DB_ADMIN"
    fi
    if [ "${1:-$SERVER_B}" = "$SERVER_B" ]; then start_cluster "$RUN/pg-b" "$PG_PORT_B" "$LEASE_ROLE:$DB_B"; fi
}

# A run directory of the time when both servers shared one cluster: the second server's leases move to its own, before
# any service starts. The old database is renamed first (which fails while anything is connected to it), the copy is
# restored whole or not at all, and only then is the old one renamed out of the way, kept: a copy that failed half way
# is made again at the next start, and no server ever runs on a stale copy.
move_shared_database() {
    local on_a
    on_a=$(pg_super "$RUN/pg" "$PG_PORT" -tA -c \
        "SELECT datname FROM pg_database WHERE datname IN ('$DB_B', '${DB_B}_moving') ORDER BY datname DESC LIMIT 1")
    [ -n "$on_a" ] || return 0
    say "Moving $DB_B to the second server's own PostgreSQL (127.0.0.1:$PG_PORT_B); the old one stays as ${DB_B}_moved"
    [ "$on_a" = "$DB_B" ] && pg_super "$RUN/pg" "$PG_PORT" -c "ALTER DATABASE $DB_B RENAME TO ${DB_B}_moving"
    pg_super "$RUN/pg-b" "$PG_PORT_B" -c "DROP DATABASE IF EXISTS $DB_B" -c "CREATE DATABASE $DB_B OWNER $LEASE_ROLE" \
        -c "REVOKE ALL ON DATABASE $DB_B FROM PUBLIC"
    runuser -u postgres -- pg_dump -h "$RUN/pg/sock" -p "$PG_PORT" -U postgres --no-owner "${DB_B}_moving" \
        | psql -q -v ON_ERROR_STOP=1 --single-transaction -h 127.0.0.1 -p "$PG_PORT_B" -U "$LEASE_ROLE" -d "$DB_B" >/dev/null \
        || die "could not copy ${DB_B}_moving to 127.0.0.1:$PG_PORT_B; the next start tries again"
    pg_super "$RUN/pg" "$PG_PORT" -c "ALTER DATABASE ${DB_B}_moving RENAME TO ${DB_B}_moved"
}

stop_postgres() { # [server] [KILL]
    if [ "${1:-$SERVER}" = "$SERVER" ]; then stop_cluster "$RUN/pg" "${2:-}"; fi
    if [ "${1:-$SERVER_B}" = "$SERVER_B" ]; then stop_cluster "$RUN/pg-b" "${2:-}"; fi
}

# Kafka authentication: every client logs in with SCRAM-SHA-512 as a principal of its own, and the brokers' ACLs
# (dev.tandem.protocol.access.BusAccess, made by kafka/Provision.java) let each service use only its own topics and
# groups. tandem-admin is the brokers' own principal and the super user this script's tools use; no listener takes a
# client without a password. The passwords are made once per run directory ($RUN/kafka-users, mode 700), each with a
# client properties file for Kafka's own tools (--command-config, --consumer.config).
KAFKA_ADMIN=tandem-admin
kafka_users() {
    echo "$KAFKA_ADMIN admin-api mirror"
    local s
    for s in "$SERVER" "$SERVER_B"; do echo "$s-gateway $s-lease-service $s-coordinator"; done
}

kafka_credentials() {
    mkdir -p "$RUN/kafka-users"
    chmod 700 "$RUN/kafka-users"
    local u
    for u in $(kafka_users); do
        [ -s "$RUN/kafka-users/$u.password" ] \
            || (umask 077 && head -c 18 /dev/urandom | od -An -tx1 | tr -d ' \n' >"$RUN/kafka-users/$u.password")
        (umask 077 && printf '%s\n' security.protocol=SASL_PLAINTEXT sasl.mechanism=SCRAM-SHA-512 \
            "sasl.jaas.config=org.apache.kafka.common.security.scram.ScramLoginModule required username=\"$u\" password=\"$(kafka_password "$u")\";" \
            >"$RUN/kafka-users/$u.properties")
    done
}

kafka_password() { cat "$RUN/kafka-users/$1.password"; }
kafka_client() { echo "$RUN/kafka-users/${1:-$KAFKA_ADMIN}.properties"; } # [user] -> its client properties file
kafka_env() { # principal -> the env assignments that make a service log in as it
    echo TANDEM_KAFKA_SECURITY_PROTOCOL=SASL_PLAINTEXT TANDEM_KAFKA_USERNAME="$1" TANDEM_KAFKA_PASSWORD="$(kafka_password "$1")"
}

protocol_jar() { ls "$ROOT"/protocol/target/protocol-*.jar | grep -v -- '-tests\.jar' | head -1; }

start_broker() { # name port peer-port [lab]: a KRaft broker of one node (lab: also listening for the direct gateway)
    local name=$1 port=$2 peer=$3 dir=$RUN/$1
    if alive "$name"; then return; fi
    if [ ! -f "$KLIB/.complete" ]; then
        say "Fetching the Kafka 4.3.1 broker jars from Maven Central into $KLIB"
        rm -rf "$KLIB.partial"
        (cd "$ROOT" && ./mvnw -B -q -f deploy/local/kafka/pom.xml dependency:copy-dependencies \
            -DoutputDirectory="$KLIB.partial")
        touch "$KLIB.partial/.complete"
        rm -rf "$KLIB"
        mv "$KLIB.partial" "$KLIB"
    fi
    if [ -f "$dir/data/meta.properties" ] && [ ! -f "$dir/data/.scram" ]; then
        die "$RUN's Kafka was made before the bus required authentication; 'purge' and 'start' make it anew"
    fi
    kafka_credentials
    mkdir -p "$dir/data"
    local listeners="CLIENT://127.0.0.1:$port,CONTROLLER://127.0.0.1:$((port + 1)),PEER://$PEER_KAFKA_LINK.1:$peer"
    local advertised="CLIENT://127.0.0.1:$port,PEER://$PEER_KAFKA_LINK.1:$peer"
    local protocols=CLIENT:SASL_PLAINTEXT,CONTROLLER:SASL_PLAINTEXT,PEER:SASL_PLAINTEXT
    local names=(client peer)
    if [ -n "${4:-}" ]; then
        listeners+=",LAB://$DIRECT_LINK.1:$LAB_KAFKA_PORT"
        advertised+=",LAB://$DIRECT_LINK.1:$LAB_KAFKA_PORT"
        protocols+=",LAB:SASL_PLAINTEXT"
        names+=(lab)
    fi
    local admin l
    admin=$(kafka_password "$KAFKA_ADMIN")
    (umask 077 && cat >"$dir/server.properties" <<PROPS
process.roles=broker,controller
node.id=1
controller.quorum.voters=1@127.0.0.1:$((port + 1))
listeners=$listeners
advertised.listeners=$advertised
listener.security.protocol.map=$protocols
controller.listener.names=CONTROLLER
inter.broker.listener.name=CLIENT
sasl.enabled.mechanisms=SCRAM-SHA-512
sasl.mechanism.inter.broker.protocol=SCRAM-SHA-512
# SCRAM credentials live in the cluster's metadata, which the controller cannot read before it runs: PLAIN there
sasl.mechanism.controller.protocol=PLAIN
listener.name.controller.sasl.enabled.mechanisms=PLAIN
listener.name.controller.plain.sasl.jaas.config=org.apache.kafka.common.security.plain.PlainLoginModule required username="$KAFKA_ADMIN" password="$admin" user_$KAFKA_ADMIN="$admin";
$(for l in "${names[@]}"; do echo "listener.name.$l.scram-sha-512.sasl.jaas.config=org.apache.kafka.common.security.scram.ScramLoginModule required username=\"$KAFKA_ADMIN\" password=\"$admin\";"; done)
authorizer.class.name=org.apache.kafka.metadata.authorizer.StandardAuthorizer
super.users=User:$KAFKA_ADMIN
allow.everyone.if.no.acl.found=false
log.dirs=$dir/data
num.partitions=4
offsets.topic.replication.factor=1
transaction.state.log.replication.factor=1
transaction.state.log.min.isr=1
group.initial.rebalance.delay.ms=0
auto.create.topics.enable=false
PROPS
    )
    if [ ! -f "$dir/data/meta.properties" ]; then
        # the brokers' own principal from the start; Provision.java adds every service's (and a changed password)
        java -cp "$KLIB/*" kafka.tools.StorageTool format -t "$(java -cp "$KLIB/*" kafka.tools.StorageTool random-uuid)" \
            -c "$dir/server.properties" --add-scram "SCRAM-SHA-512=[name=$KAFKA_ADMIN,password=$admin]" >/dev/null
        touch "$dir/data/.scram"
    fi
    say "Starting Kafka (KRaft) $name on 127.0.0.1:$port${4:+ and $DIRECT_LINK.1:$LAB_KAFKA_PORT}, SASL/SCRAM and ACLs on"
    # refusals (a failed login, an operation an ACL does not allow) are logged, once each, with who and from where
    nohup java -Xms256m -Xmx512m -Dlog4j2.configurationFile="$HERE/kafka/log4j2.properties" -cp "$KLIB/*" kafka.Kafka \
        "$dir/server.properties" >"$RUN/logs/$name.log" 2>&1 &
    echo $! >"$RUN/pids/$name.pid"
    await_listening "$name" 127.0.0.1 "$port" 90
}

server_topics() { # server: the topics of one server
    local s=$1
    echo "tandem.$s.lease-requests:4:delete tandem.$s.lease-replies:4:delete tandem.$s.failover-state:1:compact" \
        "tandem.$s.binding-updates:1:delete tandem.$s.binding-acks:1:delete tandem.$s.partner-updates:4:delete" \
        "tandem.$s.partner-update-replies:1:delete tandem.$s.failover-commands:1:delete tandem.$s.service-health:1:delete" \
        "tandem.$s.lease-commands:1:delete tandem.$s.lease-command-replies:1:delete"
}

create_topics() { # bootstrap topic...: the topics, every principal's SCRAM credential and its ACLs (idempotent)
    java -cp "$KLIB/*:$(protocol_jar)" "$HERE/kafka/Provision.java" "$(kafka_client)" "$1" "$SERVER,$SERVER_B" \
        "$RUN/kafka-users" "${@:2}" \
        >>"$RUN/logs/topics.log" 2>&1 || die "could not create the topics and ACLs: $RUN/logs/topics.log"
}

start_mirror() { # name source target group topic...: copies topics from one server's Kafka to the other's
    local name=$1
    alive "$name" && return
    shift
    nohup java -Xmx128m -cp "$KLIB/*" "$HERE/kafka/Mirror.java" "$(kafka_client mirror)" "$@" >"$RUN/logs/$name.log" 2>&1 &
    echo $! >"$RUN/pids/$name.pid"
}

# With TANDEM_KAFKA_PER_SERVER=1 each server has a Kafka of its own, as two failure domains: the loss of one server's
# Kafka makes that server hand its share to the partner (fate-sharing). The admin-api talks to the first server's; two
# mirrors (Mirror.java, as MirrorMaker 2 would in a real deployment) copy tandem.config to the second server's Kafka and
# its lease events and scope statistics back.
SHARED_TOPICS=(tandem.config:1:compact tandem.lease-events:4:delete tandem.scope-statistics:1:compact)
start_kafka() { # [server]: the brokers of both servers by default
    if [ "${1:-$SERVER}" = "$SERVER" ] || [ "$KAFKA_PER_SERVER" != 1 ]; then
        start_broker kafka "$KAFKA_PORT" "$PEER_KAFKA_PORT" lab
        # shellcheck disable=SC2046
        create_topics "127.0.0.1:$KAFKA_PORT" "${SHARED_TOPICS[@]}" $(server_topics "$SERVER") \
            $([ "$KAFKA_PER_SERVER" = 1 ] || server_topics "$SERVER_B")
    fi
    if [ "$KAFKA_PER_SERVER" = 1 ] && [ "${1:-$SERVER_B}" = "$SERVER_B" ]; then
        start_broker kafka-b "$KAFKA_B_PORT" $((KAFKA_B_PORT + 3))
        # shellcheck disable=SC2046
        create_topics "127.0.0.1:$KAFKA_B_PORT" "${SHARED_TOPICS[@]}" $(server_topics "$SERVER_B")
    fi
    if [ "$KAFKA_PER_SERVER" = 1 ]; then
        start_mirror mirror-config "127.0.0.1:$KAFKA_PORT" "127.0.0.1:$KAFKA_B_PORT" "tandem-mirror-to-$SERVER_B" \
            tandem.config
        start_mirror mirror-events "127.0.0.1:$KAFKA_B_PORT" "127.0.0.1:$KAFKA_PORT" "tandem-mirror-to-$SERVER" \
            tandem.lease-events tandem.scope-statistics
    fi
}

stop_kafka() { # [server] [signal]
    if [ "${1:-$SERVER}" = "$SERVER" ] || [ "$KAFKA_PER_SERVER" != 1 ]; then stop_service kafka "${2:-TERM}"; fi
    if [ "${1:-$SERVER_B}" = "$SERVER_B" ]; then stop_service kafka-b "${2:-TERM}"; fi
}

publish_config() { # file...: one producer for them all; each shared secret sealed, as the admin API publishes it
    local file records= document
    for file in "$@"; do
        [ -f "$file" ] || die "no configuration file $file"
        jq -e . "$file" >/dev/null || die "$file is not valid JSON"
        say "Publishing configuration of $(jq -r .server "$file") (revision $(jq -r .revision "$file")) from $file to tandem.config"
        document=$(sealed_secrets "$file")
        records+=$(printf '%s\t%s\n' "$(jq -r .server <<<"$document")" "$document")$'\n'
    done
    printf '%s' "$records" | java -cp "$KLIB/*" org.apache.kafka.tools.ConsoleProducer \
        --bootstrap-server "127.0.0.1:$KAFKA_PORT" --producer.config "$(kafka_client admin-api)" --topic tandem.config \
        --producer-property acks=all \
        --reader-property parse.key=true --reader-property "key.separator=$(printf '\t')" >>"$RUN/logs/config.log" 2>&1
}

sealed_secrets() { # file -> the document on one line, each shared secret in clear sealed with the admin API's key
    local document i secret
    document=$(jq -c . "$1")
    for i in $(jq -r '(.failover // []) | to_entries[] | select(.value.sharedSecret // "" | startswith("v1:") | not)
            | select(.value.sharedSecret != null) | .key' <<<"$document"); do
        secret=$(jq -r ".failover[$i].sharedSecret" <<<"$document" \
            | TANDEM_CONFIG_KEY=$(cat "$RUN/admin/secret-key") java -cp "$(protocol_jar)" dev.tandem.protocol.config.SecretBox) \
            || die "could not seal the shared secret of $1"
        document=$(jq -c --argjson i "$i" --arg s "$secret" '.failover[$i].sharedSecret = $s' <<<"$document")
    done
    printf '%s' "$document"
}

java_env() { # name -> env assignments for the service
    local server=$SERVER db=$DB pg=$PG_PORT kafka=$KAFKA_PORT
    case "$1" in *-b) server=$SERVER_B db=$DB_B pg=$PG_PORT_B
        [ "$KAFKA_PER_SERVER" = 1 ] && kafka=$KAFKA_B_PORT ;;
    esac
    # HTTP (health, metrics, the APIs) on loopback; the services in a lab namespace on that namespace's addresses
    local host=127.0.0.1
    [ -n "$(in_ns "$1")" ] && host=0.0.0.0
    local principal=admin-api
    case "$1" in lease-service*) principal=$server-lease-service ;; gateway*) principal=$server-gateway ;;
        coordinator*) principal=$server-coordinator ;; esac
    local common=(PATH="$PATH" HOME="${HOME:-/root}" TANDEM_SERVER="$server" QUARKUS_HTTP_PORT="$(http_port "$1")"
        QUARKUS_HTTP_HOST="$host" $(kafka_env "$principal"))
    # logs as JSON (one object a line) when asked for
    [ -n "${QUARKUS_LOG_CONSOLE_JSON_ENABLED:-}" ] && common+=(QUARKUS_LOG_CONSOLE_JSON_ENABLED="$QUARKUS_LOG_CONSOLE_JSON_ENABLED")
    local timing=() leasing=() v
    for v in TANDEM_FAILOVER_STARTUP_TIME TANDEM_FAILOVER_RECONNECT_INTERVAL TANDEM_FAILOVER_POOL_BALANCE_INTERVAL; do
        [ -n "${!v:-}" ] && timing+=("$v=${!v}")
    done
    [ -n "${TANDEM_LEASE_POOL_MISBALANCE_PERCENT:-}" ] \
        && leasing+=(TANDEM_LEASE_POOL_MISBALANCE_PERCENT="$TANDEM_LEASE_POOL_MISBALANCE_PERCENT")
    for v in TANDEM_LEASE_OUTBOX_VACUUM_AFTER TANDEM_DDNS_ENABLED TANDEM_DDNS_KEY_FILE; do
        [ -n "${!v:-}" ] && leasing+=("$v=${!v}")
    done
    case "$1" in
        lease-service | lease-service-b)
            echo "${common[@]}" "${leasing[@]}" KAFKA_BOOTSTRAP_SERVERS=127.0.0.1:$kafka \
                QUARKUS_DATASOURCE_REACTIVE_URL=postgresql://127.0.0.1:$pg/$db \
                QUARKUS_DATASOURCE_JDBC_URL=jdbc:postgresql://127.0.0.1:$pg/$db \
                QUARKUS_DATASOURCE_USERNAME=$LEASE_ROLE QUARKUS_DATASOURCE_PASSWORD="$(cat "$RUN/db/$LEASE_ROLE.password")" ;;
        gateway)
            echo "${common[@]}" KAFKA_BOOTSTRAP_SERVERS=127.0.0.1:$KAFKA_PORT TANDEM_GATEWAY_LISTEN_ADDRESS=$RELAY_LINK.1 ;;
        gateway-b)
            echo "${common[@]}" KAFKA_BOOTSTRAP_SERVERS=127.0.0.1:$kafka TANDEM_GATEWAY_LISTEN_ADDRESS=$GATEWAY_B ;;
        coordinator)
            echo "${common[@]}" "${timing[@]}" KAFKA_BOOTSTRAP_SERVERS=127.0.0.1:$KAFKA_PORT \
                TANDEM_COMMAND_TOKEN="$(cat "$RUN/admin/command-token")" TANDEM_CONFIG_KEY="$(cat "$RUN/admin/secret-key")" ;;
        coordinator-b)
            echo "${common[@]}" "${timing[@]}" \
                KAFKA_BOOTSTRAP_SERVERS=$PEER_KAFKA_LINK.1:$([ "$KAFKA_PER_SERVER" = 1 ] && echo $((KAFKA_B_PORT + 3)) || echo "$PEER_KAFKA_PORT") \
                TANDEM_COMMAND_TOKEN="$(cat "$RUN/admin/command-token")" TANDEM_CONFIG_KEY="$(cat "$RUN/admin/secret-key")" ;;
        gateway-direct)
            echo "${common[@]}" KAFKA_BOOTSTRAP_SERVERS=$DIRECT_LINK.1:$LAB_KAFKA_PORT TANDEM_GATEWAY_LISTEN_ADDRESS=0.0.0.0 \
                TANDEM_GATEWAY_DIRECT_SUBNET=$DIRECT_LAN.0/24 TANDEM_GATEWAY_BROADCAST_ADDRESS=$DIRECT_LAN.255 \
                TANDEM_GATEWAY_SERVER_IDENTIFIER=$DIRECT_LAN.1 ;;
        admin-api)
            echo "${common[@]}" KAFKA_BOOTSTRAP_SERVERS=127.0.0.1:$KAFKA_PORT \
                QUARKUS_DATASOURCE_JDBC_URL=jdbc:postgresql://127.0.0.1:$PG_PORT/$DB_ADMIN \
                QUARKUS_DATASOURCE_USERNAME=$ADMIN_ROLE QUARKUS_DATASOURCE_PASSWORD="$(cat "$RUN/db/$ADMIN_ROLE.password")" \
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
    if [ "$RUNTIME" = podman ]; then
        start_container "$name" -Xms384m -Xmx384m -XX:NewRatio=1 -XX:+UseSerialGC "${props[@]}"
        return
    fi
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
    if [ "$RUNTIME" = podman ]; then images; fi
    mkdir -p "$RUN"
    echo "$RUNTIME" >"$RUN/runtime"
    mkdir -p "$RUN/pids" "$RUN/logs"
    chmod 755 "$RUN"
    if ! ip netns list | grep -qw "$P-relay"; then
        say "Creating the lab network (namespaces $P-relay, $P-lan, $P-direct, $P-dlan)"
        "$HERE/lab.sh" up
    fi
    echo "$KAFKA_PER_SERVER" >"$RUN/kafka-per-server"
    start_postgres
    move_shared_database
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
  PostgreSQL      127.0.0.1:$PG_PORT   databases $DB (role $LEASE_ROLE), $DB_ADMIN (role $ADMIN_ROLE)   data in $RUN/pg/data
                  passwords in $RUN/db (psql reads them with PGPASSFILE=$RUN/db/pgpass)
                  127.0.0.1:$PG_PORT_B   database $DB_B (the second server's own)   data in $RUN/pg-b/data
  Kafka           127.0.0.1:$KAFKA_PORT   topics tandem.config, tandem.lease-events, tandem.<server>.*$([ "$KAFKA_PER_SERVER" = 1 ] && echo "
                  127.0.0.1:$KAFKA_B_PORT   the second server's own; tandem.config mirrored to it, its events back")
                  SASL/SCRAM and ACLs: a principal per service, credentials in $RUN/kafka-users
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
                                      --bootstrap-server 127.0.0.1:$KAFKA_PORT --consumer.config $(kafka_client) \\
                                      --topic tandem.lease-events --from-beginning
Stop:                               deploy/local/tandem-local.sh stop
INFO
}

stop() { # [KILL]: a purge deletes everything after, so its services need no graceful stop
    [ -d "$RUN/pids" ] || { say "Nothing runs from $RUN"; return; }
    say "Stopping what this script started in $RUN"
    local signal=${1:-TERM}
    stop_services "$signal" dhcrelay "${SERVICES[@]}" mirror-config mirror-events
    stop_kafka "" "$signal"
    stop_postgres "" "$signal"
    "$HERE/lab.sh" down
    say "Stopped (leases and topics stay in $RUN; 'purge' deletes them)"
}

status() {
    local brokers=(kafka)
    [ "$KAFKA_PER_SERVER" = 1 ] && brokers+=(kafka-b mirror-config mirror-events)
    for s in postgres "${brokers[@]}" "${SERVICES[@]}" dhcrelay; do
        if [ "$s" = postgres ]; then
            for d in pg pg-b; do
                if [ -f "$RUN/$d/data/postmaster.pid" ]; then echo "postgres ($d): runs"; else echo "postgres ($d): stopped"; fi
            done
        elif alive "$s"; then echo "$s: runs (pid $(cat "$RUN/pids/$s.pid"))"; else echo "$s: stopped"; fi
    done
}

case "${1:-}" in
    start) start ;;
    stop) stop ;;
    status) status ;;
    purge) stop KILL
        if command -v podman >/dev/null; then # containers of this run left behind by a run cut off
            "${PODMAN[@]}" ps -a --format '{{.Names}}' | grep "^$P-" | xargs -r "${PODMAN[@]}" rm -f >/dev/null 2>&1 || true
        fi
        rm -rf "$RUN"; say "Deleted $RUN" ;;
    start-service) start_service "$2"; [ "$2" = dhcrelay ] || await_ready "$2" ;;
    stop-service) stop_service "$2" "$([ "${3:-}" = --kill ] && echo KILL || echo TERM)" ;;
    freeze-service) signal_service "$2" STOP; say "$2 frozen (SIGSTOP); 'thaw-service $2' lets it go on" ;;
    thaw-service) signal_service "$2" CONT; say "$2 goes on (SIGCONT)" ;;
    restart-postgres | stop-postgres | start-postgres | restart-kafka | stop-kafka | start-kafka)
        what=${1#*-} server= signal=TERM
        for arg in "${@:2}"; do
            case "$arg" in
                --kill) signal=KILL ;;
                "$SERVER" | "$SERVER_B") server=$arg ;;
                *) die "no server $arg (servers: $SERVER, $SERVER_B)" ;;
            esac
        done
        [ "$what" = kafka ] && [ "$KAFKA_PER_SERVER" != 1 ] && [ -n "$server" ] \
            && say "Both servers share one Kafka (TANDEM_KAFKA_PER_SERVER=1 gives each its own)"
        case "$1" in
            restart-* | stop-*)
                say "Stopping the $what of ${server:-both servers} ($([ "$signal" = KILL ] && echo "killed, as in a crash" \
                    || echo "a clean stop; open connections are cut"))"
                "stop_$what" "$server" "$signal" ;;
        esac
        case "$1" in restart-* | start-*) "start_$what" "$server" ;; esac ;;
    ready) for s in "${SERVICES[@]}"; do await_ready "$s"; done; say "Every service is ready" ;;
    publish-config) shift; publish_config "$@" ;;
    partition) "$HERE/lab.sh" partition; say "Failover link down: $SERVER and $SERVER_B cannot reach each other" ;;
    heal) "$HERE/lab.sh" heal; say "Failover link up again" ;;
    *) sed -n '2,/^set -euo/{/^set -euo/!p}' "$0"; exit 2 ;;
esac
