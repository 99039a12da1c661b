package dev.tandem.admin.entity;

import io.quarkus.hibernate.orm.panache.PanacheEntityBase;
import jakarta.persistence.Column;
import jakarta.persistence.Entity;
import jakarta.persistence.Id;
import jakarta.persistence.Table;
import jakarta.persistence.Version;

@Entity
@Table(name = "relationship")
public class RelationshipEntity extends PanacheEntityBase {

    @Id
    public String name;

    @Column(name = "primary_server")
    public String primaryServer;

    @Column(name = "secondary_server")
    public String secondaryServer;

    public String mode;

    @Column(name = "load_balance_percent")
    public int loadBalancePercent;

    @Column(name = "reserve_percent")
    public int reservePercent;

    public long mclt;

    @Column(name = "safe_period")
    public long safePeriod;

    @Column(name = "max_response_delay")
    public long maxResponseDelay;

    @Column(name = "max_unacked_updates")
    public int maxUnackedUpdates;

    @Column(name = "load_balance_max_seconds")
    public int loadBalanceMaxSeconds;

    public int port;

    /** Sealed by {@code SecretBox}; never leaves the admin API but to the configuration topic. */
    @Column(name = "shared_secret")
    public String sharedSecret;

    public boolean tls;

    @Version
    public long version;

    public boolean involves(String server) {
        return primaryServer.equals(server) || secondaryServer.equals(server);
    }

    public String partnerOf(String server) {
        return primaryServer.equals(server) ? secondaryServer : primaryServer;
    }
}
