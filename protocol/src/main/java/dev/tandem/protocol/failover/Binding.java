package dev.tandem.protocol.failover;

import dev.tandem.protocol.net.Ipv4;
import java.util.Arrays;
import java.util.HexFormat;
import java.util.Objects;

/**
 * One binding-update transaction (draft-ietf-dhc-failover-12 §7.1): the lease of one address as a BNDUPD carries it.
 * Times are seconds since 1970 (0 when unknown); the hardware address is htype then the MAC (option 5 layout).
 *
 * @param potentialExpiration what the partner may assume at most (option 18, "tstp" on the sender)
 * @param startTimeOfState when the binding entered its state (option 25)
 * @param flags IP-flags (option 12): 0x1 reserved, 0x2 BOOTP
 */
public record Binding(
        Ipv4 address,
        BindingStatus status,
        byte[] clientId,
        byte[] hardwareAddress,
        long leaseExpiration,
        long potentialExpiration,
        long startTimeOfState,
        long cltt,
        int flags) {

    public Binding {
        Objects.requireNonNull(address, "address");
        Objects.requireNonNull(status, "status");
        clientId = clientId == null ? null : clientId.clone();
        hardwareAddress = hardwareAddress == null ? null : hardwareAddress.clone();
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof Binding b
                && b.address.equals(address)
                && b.status == status
                && Arrays.equals(b.clientId, clientId)
                && Arrays.equals(b.hardwareAddress, hardwareAddress)
                && b.leaseExpiration == leaseExpiration
                && b.potentialExpiration == potentialExpiration
                && b.startTimeOfState == startTimeOfState
                && b.cltt == cltt
                && b.flags == flags;
    }

    @Override
    public int hashCode() {
        return Objects.hash(address, status, Arrays.hashCode(clientId), Arrays.hashCode(hardwareAddress), cltt);
    }

    @Override
    public String toString() {
        HexFormat hex = HexFormat.of();
        return address + " " + status + (clientId == null ? "" : " id=" + hex.formatHex(clientId))
                + (hardwareAddress == null ? "" : " hw=" + hex.formatHex(hardwareAddress)) + " ends=" + leaseExpiration
                + " tstp=" + potentialExpiration + " stos=" + startTimeOfState + " cltt=" + cltt;
    }
}
