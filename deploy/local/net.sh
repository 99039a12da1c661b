# The lab network's names and addresses, shared by lab.sh and tandem-local.sh (sourced, not run).
# N = 4 * TANDEM_NET_INDEX; all addresses are in 198.18.0.0/15, the benchmarking range of RFC 2544.
P=${TANDEM_NET_PREFIX:-tandem}
I=${TANDEM_NET_INDEX:-0}
N=$((4 * I))
RELAY_LINK=198.18.$N              # root <-> relay namespace (/30); the relay-side gateway binds .1
DIRECT_LINK=198.18.$((N + 1))     # root <-> direct namespace (/30); Kafka's lab listener on .1
RELAY_LAN=198.18.$((N + 2))       # relayed client LAN (/24); dhcrelay on .1
DIRECT_LAN=198.18.$((N + 3))      # directly attached LAN (/24); the direct gateway on .1
FO_LINK=198.18.$((128 + N))       # root <-> $P-peer (/30): coordinator of dhcp-a on .1, of dhcp-b (in $P-peer) on .2
PEER_KAFKA_LINK=198.18.$((129 + N)) # root <-> $P-peer (/30): Kafka's listener for the $P-peer namespace on .1
GATEWAY_B=198.18.$((130 + N)).1   # relay-side gateway of dhcp-b (/32 on the root end of the relay link)
FO_LAN=198.18.$((131 + N))        # relayed client LAN served by the failover pair (/24); dhcrelay on .1
ISC_LINK=198.18.$((64 + N))       # relay namespace <-> $P-peer (/30): DHCP to an ISC dhcpd partner run there, on .2
