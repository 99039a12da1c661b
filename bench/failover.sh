#!/usr/bin/env bash
# Failover timings of the local stack's pair (deploy/local/tandem-local.sh start first; it is changed by this run:
# the primary is killed and restarted).
#
#   bench/failover.sh kill       kill -9 of the whole primary in NORMAL; prints the time until a new client is served
#
# Results go to bench/results/.
set -euo pipefail
HERE=$(cd "$(dirname "$0")" && pwd)
ROOT=$(cd "$HERE/.." && pwd)
OUT=$HERE/results
mkdir -p "$OUT"
# shellcheck source=../deploy/local/net.sh
. "$ROOT/deploy/local/net.sh"
HTTP=${TANDEM_HTTP_BASE:-8080}
REL=${TANDEM_RELATIONSHIP:-tandem-pair}
say() { printf '\033[1m[bench]\033[0m %s\n' "$*"; }

state() { # a|b
    if [ "$1" = a ]; then
        curl -s -m 2 "http://127.0.0.1:$((HTTP + 2))/api/v1/relationships/$REL" | jq -r .state
    else
        ip netns exec "$P-peer" curl -s -m 2 "http://127.0.0.1:$((HTTP + 22))/api/v1/relationships/$REL" | jq -r .state
    fi
}

await_normal() {
    for _ in $(seq 600); do
        [ "$(state a 2>/dev/null)" = NORMAL ] && [ "$(state b 2>/dev/null)" = NORMAL ] && return
        sleep 0.5
    done
    echo "the pair did not reach NORMAL" >&2; exit 1
}

ms() { date +%s%3N; }

kill_primary() {
    await_normal
    local t0 t1 i=0 pids=()
    for s in coordinator gateway gateway-direct lease-service; do pids+=("$(cat "${TANDEM_RUN_DIR:-/var/tmp/tandem-local}/pids/$s.pid")"); done
    kill -KILL "${pids[@]}"
    t0=$(ms)
    while :; do
        i=$((i + 1))
        ip -n "$P-lan2" link set dev "${P}m1" address "02:00:5e:7f:$(printf %02x $((i / 256))):$(printf %02x $((i % 256)))"
        if ip netns exec "$P-lan2" udhcpc -i "${P}m1" -f -q -n -t 1 -T 1 -s /bin/true 2>&1 | grep -q obtained; then break; fi
        [ $(($(ms) - t0)) -lt 120000 ] || { echo "no client served within 120 s" >&2; break; }
    done
    t1=$(ms)
    echo "kill -9 of the whole primary in NORMAL -> first new client served: $((t1 - t0)) ms ($i attempts)" \
        | tee "$OUT/kill-summary.txt"
    for s in coordinator gateway gateway-direct lease-service; do "$ROOT/deploy/local/tandem-local.sh" stop-service "$s"; done
    for s in lease-service gateway gateway-direct coordinator; do "$ROOT/deploy/local/tandem-local.sh" start-service "$s"; done
    await_normal
}

case "${1:-}" in
    kill) kill_primary ;;
    *) sed -n '2,7p' "$0"; exit 2 ;;
esac
