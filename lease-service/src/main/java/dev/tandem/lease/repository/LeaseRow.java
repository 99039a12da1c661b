package dev.tandem.lease.repository;

import dev.tandem.lease.domain.Binding;
import dev.tandem.lease.domain.LeaseState;
import dev.tandem.protocol.net.Ipv4;
import io.vertx.mutiny.sqlclient.Row;
import java.time.Instant;
import java.time.OffsetDateTime;

/** A lease table row as read for a decision. */
public record LeaseRow(
        Ipv4 address, LeaseState state, String clientKey, Instant expiresAt, Instant updatedAt, Instant tsfp) {

    static LeaseRow of(Row row) {
        OffsetDateTime expires = row.getOffsetDateTime("expires_at");
        OffsetDateTime updated = row.getOffsetDateTime("updated_at");
        OffsetDateTime acked = row.getOffsetDateTime("tsfp");
        return new LeaseRow(
                Ipv4.ofUnsigned(row.getLong("address")),
                LeaseState.valueOf(row.getString("state")),
                row.getString("client_key"),
                expires == null ? null : expires.toInstant(),
                updated == null ? null : updated.toInstant(),
                acked == null ? null : acked.toInstant());
    }

    public Binding binding() {
        return new Binding(address, state, clientKey, expiresAt);
    }
}
