#!/usr/bin/env bash
# The lab network of the one-machine stack: network namespaces and veth pairs this script creates and removes.
# DHCP never touches a real interface: the relay-facing gateway binds an address on a veth it made, the direct
# gateway and the clients live in namespaces of their own.
#
#   root namespace                 ${P}-relay                          ${P}-lan
#   ${P}r0 198.18.N.1/30  <---->   ${P}r1 198.18.N.2/30                 (DHCP clients)
#   (gateway binds here)           ${P}l0 198.18.N+2.1/24  <---->      ${P}l1
#                                  dhcrelay -id ${P}l0 -iu ${P}r1
#
#   root namespace                 ${P}-direct                         ${P}-dlan
#   ${P}k0 198.18.N+1.1/30 <---->  ${P}k1 198.18.N+1.2/30               (DHCP clients)
#   (Kafka lab listener)           ${P}d0 198.18.N+3.1/24  <---->      ${P}d1
#                                  gateway on 0.0.0.0:67
#
# N = 4 * TANDEM_NET_INDEX. Usage: lab.sh up|down
set -euo pipefail

# shellcheck source=net.sh
. "$(dirname "${BASH_SOURCE[0]}")/net.sh"

up() {
    for ns in "$P-relay" "$P-lan" "$P-direct" "$P-dlan"; do
        ip netns add "$ns"
        ip -n "$ns" link set lo up
    done
    # root <-> relay namespace
    ip link add "${P}r0" type veth peer name "${P}r1" netns "$P-relay"
    ip addr add "$RELAY_LINK.1/30" dev "${P}r0"
    ip link set "${P}r0" up
    ip -n "$P-relay" addr add "$RELAY_LINK.2/30" dev "${P}r1"
    ip -n "$P-relay" link set "${P}r1" up
    # relay namespace <-> relayed LAN
    ip -n "$P-relay" link add "${P}l0" type veth peer name "${P}l1" netns "$P-lan"
    ip -n "$P-relay" addr add "$RELAY_LAN.1/24" dev "${P}l0"
    ip -n "$P-relay" link set "${P}l0" up
    ip -n "$P-lan" link set "${P}l1" up
    ip netns exec "$P-relay" sysctl -qw net.ipv4.ip_forward=1
    ip -n "$P-relay" route add default via "$RELAY_LINK.1"
    ip route add "$RELAY_LAN.0/24" via "$RELAY_LINK.2" dev "${P}r0"
    # root <-> direct namespace (Kafka for the direct gateway)
    ip link add "${P}k0" type veth peer name "${P}k1" netns "$P-direct"
    ip addr add "$DIRECT_LINK.1/30" dev "${P}k0"
    ip link set "${P}k0" up
    ip -n "$P-direct" addr add "$DIRECT_LINK.2/30" dev "${P}k1"
    ip -n "$P-direct" link set "${P}k1" up
    # direct namespace <-> directly attached LAN
    ip -n "$P-direct" link add "${P}d0" type veth peer name "${P}d1" netns "$P-dlan"
    ip -n "$P-direct" addr add "$DIRECT_LAN.1/24" dev "${P}d0"
    ip -n "$P-direct" link set "${P}d0" up
    ip -n "$P-dlan" link set "${P}d1" up
}

down() {
    ip route del "$RELAY_LAN.0/24" 2>/dev/null || true
    ip link del "${P}r0" 2>/dev/null || true
    ip link del "${P}k0" 2>/dev/null || true
    for ns in "$P-relay" "$P-lan" "$P-direct" "$P-dlan"; do
        ip netns del "$ns" 2>/dev/null || true
    done
}

case "${1:-}" in
    up) up ;;
    down) down ;;
    *) echo "usage: $0 up|down" >&2; exit 2 ;;
esac
