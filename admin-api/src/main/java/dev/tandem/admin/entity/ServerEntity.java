package dev.tandem.admin.entity;

import io.quarkus.hibernate.orm.panache.PanacheEntityBase;
import jakarta.persistence.Column;
import jakarta.persistence.Entity;
import jakarta.persistence.Id;
import jakarta.persistence.Table;
import jakarta.persistence.Version;

@Entity
@Table(name = "server")
public class ServerEntity extends PanacheEntityBase {

    @Id
    public String name;

    @Column(name = "server_identifier")
    public String serverIdentifier;

    @Column(name = "failover_address")
    public String failoverAddress;

    @Column(name = "failover_port")
    public int failoverPort;

    /** JSON array of addresses. */
    @Column(name = "gateway_addresses")
    public String gatewayAddresses;

    @Column(name = "coordinator_url")
    public String coordinatorUrl;

    @Column(name = "offer_timeout")
    public long offerTimeout;

    @Column(name = "decline_probation")
    public long declineProbation;

    @Version
    public long version;
}
