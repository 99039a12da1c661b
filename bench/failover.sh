#!/usr/bin/env bash
# Failover timings of the local stack's pair (deploy/local/tandem-local.sh start first; it is changed by this run:
# the primary is killed and restarted).
#
#   bench/failover.sh handover   perfdhcp clients on the pair's LAN (through dhcrelay to both servers) while the
#                                primary hands over for maintenance and rejoins; prints the exchanges lost
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
    for _ in $(seq 240); do
        [ "$(state a 2>/dev/null)" = NORMAL ] && [ "$(state b 2>/dev/null)" = NORMAL ] && return
        sleep 0.5
    done
    echo "the pair did not reach NORMAL" >&2; exit 1
}

ms() { date +%s%3N; }

handover() {
    await_normal
    ip -n "$P-lan2" addr replace "$FO_LAN.254/24" dev "${P}m1" # perfdhcp needs a source address
    local seconds=30 rate=${RATE:-20}
    say "perfdhcp: $rate new clients/s for $seconds s through the relay to both servers; handover at 10 s, rejoin at 20 s"
    ip netns exec "$P-lan2" perfdhcp -4 -l "${P}m1" -B -r "$rate" -p "$seconds" -R 1000000 >"$OUT/handover.txt" 2>&1 &
    local perf=$!
    sleep 10
    curl -s -X POST "http://127.0.0.1:$((HTTP + 2))/api/v1/relationships/$REL/maintenance" >/dev/null
    say "primary: $(state a), secondary: $(state b)"
    sleep 10
    curl -s -X DELETE "http://127.0.0.1:$((HTTP + 2))/api/v1/relationships/$REL/maintenance" >/dev/null
    wait "$perf" || true
    ip -n "$P-lan2" addr del "$FO_LAN.254/24" dev "${P}m1" || true
    awk '/Statistics for: DISCOVER-OFFER/ {s="DO"} /Statistics for: REQUEST-ACK/ {s="RA"}
         /^sent packets/ {sent[s]=$3} /^received packets/ {rcv[s]=$3} /drops ratio/ {d[s]=$3}
         END { printf "handover: DISCOVER sent %d, OFFER received %d (drops %s%%); REQUEST sent %d, ACK received %d (drops %s%%)\n",
               sent["DO"], rcv["DO"], d["DO"], sent["RA"], rcv["RA"], d["RA"] }' "$OUT/handover.txt" | tee "$OUT/handover-summary.txt"
    await_normal
}

kill_primary() {
    await_normal
    local t0 t1 i=0
    t0=$(ms)
    for s in coordinator gateway gateway-direct lease-service; do
        "$ROOT/deploy/local/tandem-local.sh" stop-service "$s" --kill
    done
    while :; do
        i=$((i + 1))
        ip -n "$P-lan2" link set dev "${P}m1" address "02:00:5e:7f:$(printf %02x $((i / 256))):$(printf %02x $((i % 256)))"
        if ip netns exec "$P-lan2" udhcpc -i "${P}m1" -f -q -n -t 1 -T 1 -s /bin/true 2>&1 | grep -q obtained; then break; fi
        [ $(($(ms) - t0)) -lt 120000 ] || { echo "no client served within 120 s" >&2; break; }
    done
    t1=$(ms)
    echo "kill -9 of the whole primary in NORMAL -> first new client served: $((t1 - t0)) ms ($i attempts)" \
        | tee "$OUT/kill-summary.txt"
    for s in lease-service gateway gateway-direct coordinator; do "$ROOT/deploy/local/tandem-local.sh" start-service "$s"; done
    await_normal
}

case "${1:-}" in
    handover) handover ;;
    kill) kill_primary ;;
    *) sed -n '2,9p' "$0"; exit 2 ;;
esac
