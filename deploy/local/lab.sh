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
#                                  ${P}m0 $FO_LAN.1/24      <---->      ${P}-lan2 ${P}m1 (clients of the failover pair)
#                                  dhcrelay -id ${P}l0 -id ${P}m0 -iu ${P}r1 -> both servers' gateways
#   ${P}r0 also holds $GATEWAY_B/32: the relay-side gateway of dhcp-b
#
#   root namespace                 ${P}-peer
#   ${P}p0 $FO_LINK.1/30   <---->  ${P}p1 $FO_LINK.2/30    the failover link (coordinator of dhcp-b runs here;
#   ${P}q0 $PEER_KAFKA_LINK.1/30 <-> ${P}q1 .2              "ip link set ${P}p0 down" partitions the two servers)
#
#   root namespace                 ${P}-direct                         ${P}-dlan
#   ${P}k0 198.18.N+1.1/30 <---->  ${P}k1 198.18.N+1.2/30               (DHCP clients)
#   (Kafka lab listener)           ${P}d0 198.18.N+3.1/24  <---->      ${P}d1
#                                  gateway on 0.0.0.0:67
#
# N = 4 * TANDEM_NET_INDEX. Usage: lab.sh up|down|partition|heal
set -euo pipefail

# shellcheck source=net.sh
. "$(dirname "${BASH_SOURCE[0]}")/net.sh"

up() {
    for ns in "$P-relay" "$P-lan" "$P-direct" "$P-dlan" "$P-lan2" "$P-peer"; do
        ip netns add "$ns"
        # 'ip netns exec' mounts /etc/netns/<ns>/resolv.conf over /etc/resolv.conf: a DHCP client's script writing
        # the DNS settings of its lease changes the namespace's file, never the host's.
        mkdir -p "/etc/netns/$ns"
        : >"/etc/netns/$ns/resolv.conf"
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
    # relay namespace <-> the failover pair's LAN
    ip -n "$P-relay" link add "${P}m0" type veth peer name "${P}m1" netns "$P-lan2"
    ip -n "$P-relay" addr add "$FO_LAN.1/24" dev "${P}m0"
    ip -n "$P-relay" link set "${P}m0" up
    ip -n "$P-lan2" link set "${P}m1" up
    ip route add "$FO_LAN.0/24" via "$RELAY_LINK.2" dev "${P}r0"
    ip addr add "$GATEWAY_B/32" dev "${P}r0"
    ip netns exec "$P-relay" sysctl -qw net.ipv4.ip_forward=1
    ip -n "$P-relay" route add default via "$RELAY_LINK.1"
    ip route add "$RELAY_LAN.0/24" via "$RELAY_LINK.2" dev "${P}r0"
    # root <-> direct namespace (Kafka for the direct gateway)
    ip link add "${P}k0" type veth peer name "${P}k1" netns "$P-direct"
    ip addr add "$DIRECT_LINK.1/30" dev "${P}k0"
    ip link set "${P}k0" up
    ip -n "$P-direct" addr add "$DIRECT_LINK.2/30" dev "${P}k1"
    ip -n "$P-direct" link set "${P}k1" up
    # root <-> peer namespace: the failover link, and Kafka for the coordinator that runs there
    ip link add "${P}p0" type veth peer name "${P}p1" netns "$P-peer"
    ip addr add "$FO_LINK.1/30" dev "${P}p0"
    ip link set "${P}p0" up
    ip -n "$P-peer" addr add "$FO_LINK.2/30" dev "${P}p1"
    ip -n "$P-peer" link set "${P}p1" up
    # relay namespace <-> peer namespace: DHCP to an ISC dhcpd that stands in for dhcp-b (interoperation tests)
    ip -n "$P-relay" link add "${P}i0" type veth peer name "${P}i1" netns "$P-peer"
    ip -n "$P-relay" addr add "$ISC_LINK.1/30" dev "${P}i0"
    ip -n "$P-relay" link set "${P}i0" up
    ip -n "$P-peer" addr add "$ISC_LINK.2/30" dev "${P}i1"
    ip -n "$P-peer" link set "${P}i1" up
    ip -n "$P-peer" route add "$FO_LAN.0/24" via "$ISC_LINK.1"
    ip link add "${P}q0" type veth peer name "${P}q1" netns "$P-peer"
    ip addr add "$PEER_KAFKA_LINK.1/30" dev "${P}q0"
    ip link set "${P}q0" up
    ip -n "$P-peer" addr add "$PEER_KAFKA_LINK.2/30" dev "${P}q1"
    ip -n "$P-peer" link set "${P}q1" up
    # direct namespace <-> directly attached LAN
    ip -n "$P-direct" link add "${P}d0" type veth peer name "${P}d1" netns "$P-dlan"
    ip -n "$P-direct" addr add "$DIRECT_LAN.1/24" dev "${P}d0"
    ip -n "$P-direct" link set "${P}d0" up
    ip -n "$P-dlan" link set "${P}d1" up
}

down() {
    ip route del "$RELAY_LAN.0/24" 2>/dev/null || true
    ip route del "$FO_LAN.0/24" 2>/dev/null || true
    ip link del "${P}p0" 2>/dev/null || true
    ip link del "${P}q0" 2>/dev/null || true
    ip link del "${P}r0" 2>/dev/null || true
    ip link del "${P}k0" 2>/dev/null || true
    for ns in "$P-relay" "$P-lan" "$P-direct" "$P-dlan" "$P-lan2" "$P-peer"; do
        ip netns del "$ns" 2>/dev/null || true
        rm -rf "/etc/netns/${ns:?}"
    done
}

case "${1:-}" in
    up) up ;;
    partition) ip link set "${P}p0" down ;;
    heal) ip link set "${P}p0" up ;;
    down) down ;;
    *) echo "usage: $0 up|down|partition|heal" >&2; exit 2 ;;
esac
