#!/usr/bin/env bash
# Builds the four service images (JVM) on this machine without Docker or a registry: a base image made once from
# Debian's packages (debootstrap: Debian 12 minbase with openjdk-17-jre-headless), then one image per service with
# podman from Debian, each saved as an OCI archive. Says how long each step took and how large each image is.
#
#   deploy/images/build.sh            build (the base only once per machine: /var/cache/tandem/images)
#   deploy/images/build.sh --rebase   make the base again (new Debian security updates)
#
# Settings: TANDEM_IMAGE_REGISTRY (ghcr.io/tandem-dhcp), TANDEM_IMAGE_TAG (the project version),
# TANDEM_IMAGE_CACHE (/var/cache/tandem/images), TANDEM_SKIP_BUILD (0: builds the services first).
set -euo pipefail

HERE=$(cd "$(dirname "$0")" && pwd)
ROOT=$(cd "$HERE/../.." && pwd)
CACHE=${TANDEM_IMAGE_CACHE:-/var/cache/tandem/images}
REGISTRY=${TANDEM_IMAGE_REGISTRY:-ghcr.io/tandem-dhcp}
BASE=localhost/tandem-base:bookworm-jre17
OUT=$ROOT/target/images
SERVICES=(packet-gateway lease-service failover-coordinator admin-api)

say() { printf '\033[1m==> %s\033[0m\n' "$*"; }
die() { printf 'error: %s\n' "$*" >&2; exit 1; }
took() { echo "$(( $(date +%s) - $1 )) s"; }
# The build an image holds: a digest of the service's application jars, as label dev.tandem.app (tandem-local.sh builds
# the images again when the services were built since).
app_digest() { cat "$ROOT/$1"/target/quarkus-app/app/*.jar "$ROOT/$1"/target/quarkus-app/quarkus/*.jar | sha256sum | cut -c1-16; }

[ "$(id -u)" = 0 ] || die "run as root (debootstrap and podman's root storage)"
export CONTAINERS_CONF=$CACHE/containers.conf
PODMAN=(podman --runtime runc --cgroup-manager cgroupfs)

install_tools() {
    local missing=()
    for tool in podman runc debootstrap; do command -v "$tool" >/dev/null || missing+=("$tool"); done
    if [ ${#missing[@]} -gt 0 ]; then
        say "Installing ${missing[*]} from Debian"
        apt-get update -q >/dev/null
        DEBIAN_FRONTEND=noninteractive apt-get install -y -q podman runc debootstrap >/dev/null
    fi
    mkdir -p "$CACHE"
    # The sandboxes this runs in lack CAP_SYS_RESOURCE: no default ulimits for containers
    printf '[containers]\ndefault_ulimits = []\n' >"$CONTAINERS_CONF"
}

make_base() {
    if [ "${1:-}" != --rebase ] && "${PODMAN[@]}" image exists "$BASE"; then
        say "Base image $BASE exists (--rebase makes it again)"
        return
    fi
    local start rootfs
    start=$(date +%s)
    rootfs=$CACHE/rootfs
    rm -rf "$rootfs"
    say "Making the base root file system with debootstrap (Debian 12 minbase + openjdk-17-jre-headless; a few minutes)"
    debootstrap --variant=minbase --include=openjdk-17-jre-headless,ca-certificates bookworm "$rootfs" \
        http://deb.debian.org/debian >"$CACHE/debootstrap.log" 2>&1 || die "debootstrap failed: $CACHE/debootstrap.log"
    # what a service never needs at run time: package caches, documentation, manuals
    rm -rf "$rootfs"/var/cache/apt/* "$rootfs"/var/lib/apt/lists/* "$rootfs"/usr/share/doc/* "$rootfs"/usr/share/man/*
    # the services run as user 185 (the chart's runAsUser), home /deployments
    echo 'tandem:x:185:185:Tandem:/deployments:/usr/sbin/nologin' >>"$rootfs/etc/passwd"
    echo 'tandem:x:185:' >>"$rootfs/etc/group"
    mkdir -p "$rootfs/deployments"
    chown 185:185 "$rootfs/deployments"
    tar -C "$rootfs" -c . | "${PODMAN[@]}" import \
        --change 'ENV JAVA_HOME=/usr/lib/jvm/java-17-openjdk-amd64' \
        --change 'ENV LANG=C.UTF-8' \
        - "$BASE" >/dev/null
    rm -rf "$rootfs"
    say "Base image made in $(took "$start")"
}

build_services() {
    if [ "${TANDEM_SKIP_BUILD:-0}" != 1 ]; then
        say "Building the services (Maven)"
        (cd "$ROOT" && ./mvnw -B -ntp -q package -DskipTests -pl "$(IFS=,; echo "${SERVICES[*]}")" -am)
    fi
    local tag=${TANDEM_IMAGE_TAG:-$(cd "$ROOT" && ./mvnw -q help:evaluate -Dexpression=project.version -DforceStdout)}
    mkdir -p "$OUT"
    for service in "${SERVICES[@]}"; do
        local start image
        start=$(date +%s)
        image=$REGISTRY/$service:$tag
        [ -f "$ROOT/$service/target/quarkus-app/quarkus-run.jar" ] || die "$service is not built"
        "${PODMAN[@]}" build -q --pull=never --build-arg "BASE=$BASE" -f "$HERE/Containerfile" -t "$image" \
            --label "dev.tandem.app=$(app_digest "$service")" "$ROOT/$service" >/dev/null
        rm -f "$OUT/$service.tar"
        "${PODMAN[@]}" save -q --format oci-archive -o "$OUT/$service.tar" "$image"
        say "$image: $("${PODMAN[@]}" image inspect -f '{{.Size}}' "$image" | numfmt --to=iec) ($(du -h "$OUT/$service.tar" | cut -f1) as an OCI archive), built in $(took "$start")"
    done
}

check_images() {
    local tag=${TANDEM_IMAGE_TAG:-$(cd "$ROOT" && ./mvnw -q help:evaluate -Dexpression=project.version -DforceStdout)}
    for service in "${SERVICES[@]}"; do
        local image=$REGISTRY/$service:$tag user entry
        user=$("${PODMAN[@]}" image inspect -f '{{.Config.User}}' "$image")
        entry=$("${PODMAN[@]}" image inspect -f '{{json .Config.Entrypoint}}' "$image")
        [ "$user" = 185 ] || die "$image runs as '$user', not 185"
        # the JRE runs in the image as user 185, without a network and on a read-only root file system
        "${PODMAN[@]}" run --rm --network none --read-only --entrypoint java "$image" -version >/dev/null 2>&1 \
            || die "$image: java does not run"
        say "$image: user $user, entrypoint $entry, layers $("${PODMAN[@]}" image inspect -f '{{len .RootFS.Layers}}' "$image"), java runs read-only"
    done
}

install_tools
make_base "${1:-}"
build_services
check_images
say "Images saved in $OUT"
