package dev.tandem.lease.domain;

import dev.tandem.lease.domain.Decision.Ack;
import dev.tandem.lease.domain.Decision.AllocateAndOffer;
import dev.tandem.lease.domain.Decision.Decline;
import dev.tandem.lease.domain.Decision.Ignore;
import dev.tandem.lease.domain.Decision.InformAck;
import dev.tandem.lease.domain.Decision.Nak;
import dev.tandem.lease.domain.Decision.Offer;
import dev.tandem.lease.domain.Decision.Release;
import dev.tandem.lease.domain.Decision.Withdraw;
import dev.tandem.protocol.config.ScopeConfig;
import dev.tandem.protocol.config.ScopeConfig.ReservationConfig;
import dev.tandem.protocol.net.Ipv4;
import java.time.Instant;
import java.util.Optional;

/**
 * The server side of RFC 2131 §4.3 for one scope, as a pure function of the request and what the lease table holds
 * for this client and for the address the request names. No I/O: the caller loads the facts, applies the decision.
 */
public final class LeasePolicy {

    private LeasePolicy() {}

    /**
     * @param scope the scope the request belongs to
     * @param clientBinding the row this client holds or last held in the scope, if any
     * @param subject the row of {@link ClientRequest#subjectAddress()}, if the address has one
     * @param now the current time
     */
    public static Decision decide(
            ClientRequest request,
            ScopeConfig scope,
            Optional<Binding> clientBinding,
            Optional<Binding> subject,
            Instant now) {
        String client = request.clientKey();
        Optional<ReservationConfig> reservation =
                scope.reservationFor(request.clientIdHex(), request.hardwareAddressHex());
        return switch (request.kind()) {
            case DISCOVER -> discover(request, scope, clientBinding, subject, reservation, now);
            case SELECTING -> selecting(request, scope, clientBinding, subject, reservation, now);
            case INIT_REBOOT -> initReboot(request, scope, subject, reservation, now);
            case RENEWING, REBINDING -> renew(request, scope, subject, reservation, now);
            case DECLINE -> {
                // §4.3.3: the client found the address in use; only the holder may decline it.
                if (request.serverId().isPresent() && !request.serverIdIsOurs()) {
                    yield new Ignore("decline-for-other-server");
                }
                yield subject.filter(b -> b.heldBy(client, now))
                        .<Decision>map(b -> new Decline(b.address()))
                        .orElse(new Ignore("decline-without-binding"));
            }
            case RELEASE -> {
                // §4.3.4: mark the address not allocated; it stays associated with the client.
                if (request.serverId().isPresent() && !request.serverIdIsOurs()) {
                    yield new Ignore("release-for-other-server");
                }
                yield subject.filter(b -> b.state() == LeaseState.ACTIVE && client.equals(b.clientKey()))
                        .<Decision>map(b -> new Release(b.address()))
                        .orElse(new Ignore("release-without-binding"));
            }
            case INFORM -> new InformAck();
            case INVALID -> new Ignore("request-fits-no-client-state");
        };
    }

    /** §4.3.1: reservation, then the client's current or previous address, then the requested one, then any. */
    private static Decision discover(
            ClientRequest request,
            ScopeConfig scope,
            Optional<Binding> clientBinding,
            Optional<Binding> subject,
            Optional<ReservationConfig> reservation,
            Instant now) {
        String client = request.clientKey();
        if (reservation.isPresent()) {
            // The service falls back to allocation if the reserved address is held by someone else.
            return new Offer(reservation.get().address());
        }
        if (clientBinding.isPresent()
                && clientBinding.get().remembers(client)
                && scope.inPool(clientBinding.get().address())
                && scope.reservationOf(clientBinding.get().address()).isEmpty()) {
            return new Offer(clientBinding.get().address());
        }
        if (request.requestedAddress().isPresent()
                && grantable(request.requestedAddress().get(), client, scope, subject, reservation, now)) {
            return new Offer(request.requestedAddress().get());
        }
        return new AllocateAndOffer();
    }

    /** §4.3.2 SELECTING: the client accepts an offer; commit it if it is ours and still good. */
    private static Decision selecting(
            ClientRequest request,
            ScopeConfig scope,
            Optional<Binding> clientBinding,
            Optional<Binding> subject,
            Optional<ReservationConfig> reservation,
            Instant now) {
        String client = request.clientKey();
        if (!request.serverIdIsOurs()) {
            // The client chose another server: withdraw our offer so the address is free again.
            return clientBinding
                    .filter(b -> b.state() == LeaseState.OFFERED && client.equals(b.clientKey()))
                    .<Decision>map(b -> new Withdraw(b.address()))
                    .orElse(new Ignore("selected-other-server"));
        }
        Ipv4 requested = request.requestedAddress().orElseThrow();
        // What we offered is good, even when it is not the reservation (the reserved address was declined).
        if (subject.map(b -> b.heldBy(client, now)).orElse(false)) {
            return new Ack(requested, false);
        }
        return bindOrNak(
                requested, client, scope, subject, reservation, now, "offer expired or address no longer available");
    }

    /** §4.3.2 INIT-REBOOT: verify the client's remembered address. */
    private static Decision initReboot(
            ClientRequest request,
            ScopeConfig scope,
            Optional<Binding> subject,
            Optional<ReservationConfig> reservation,
            Instant now) {
        String client = request.clientKey();
        Ipv4 requested = request.requestedAddress().orElseThrow();
        if (!scope.subnet().contains(requested)) {
            return new Nak("address is not on this network");
        }
        if (subject.isPresent() && subject.get().heldBy(client, now)) {
            return new Ack(requested, true);
        }
        if (reservation.isPresent() && !reservation.get().address().equals(requested)) {
            return new Nak("address is not the one reserved for this client");
        }
        if (subject.isPresent() && subject.get().heldByOther(client, now)) {
            return new Nak("address is in use by another client");
        }
        if (subject.isPresent() && subject.get().remembers(client)) {
            return new Ack(requested, false);
        }
        // "If the DHCP server has no record of this client, then it MUST remain silent".
        return new Ignore("init-reboot-unknown-client");
    }

    /** §4.3.2 RENEWING and REBINDING: extend the lease on ciaddr. */
    private static Decision renew(
            ClientRequest request,
            ScopeConfig scope,
            Optional<Binding> subject,
            Optional<ReservationConfig> reservation,
            Instant now) {
        String client = request.clientKey();
        Ipv4 address = request.ciaddr();
        if (!scope.subnet().contains(address)) {
            return new Nak("address is not on this network");
        }
        if (subject.isPresent() && subject.get().heldBy(client, now)) {
            return new Ack(address, true);
        }
        if (subject.isPresent() && subject.get().heldByOther(client, now)) {
            return new Nak("address is in use by another client");
        }
        // The binding ran out or was lost, and no one else holds the address: bind it again.
        return bindOrNak(
                address, client, scope, subject, reservation, now, "address is not available from this server");
    }

    /** A new binding of the address, unless the client has another reservation or the address is not grantable. */
    private static Decision bindOrNak(
            Ipv4 address,
            String client,
            ScopeConfig scope,
            Optional<Binding> subject,
            Optional<ReservationConfig> reservation,
            Instant now,
            String refusal) {
        if (reservation.isPresent() && !reservation.get().address().equals(address)) {
            return new Nak("address is not the one reserved for this client");
        }
        return grantable(address, client, scope, subject, reservation, now)
                ? new Ack(address, false)
                : new Nak(refusal);
    }

    /** The address may be bound to this client: in the pool, or reserved for it, and no one else's. */
    private static boolean grantable(
            Ipv4 address,
            String client,
            ScopeConfig scope,
            Optional<Binding> row,
            Optional<ReservationConfig> reservation,
            Instant now) {
        if (scope.reservationOf(address).isPresent()) {
            return reservation.map(r -> r.address().equals(address)).orElse(false)
                    && row.map(b -> !b.heldByOther(client, now)).orElse(true);
        }
        return scope.inPool(address) && row.isPresent() && row.get().availableTo(client, now);
    }
}
