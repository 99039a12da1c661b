package dev.tandem.admin.entity;

import io.quarkus.hibernate.orm.panache.PanacheEntityBase;
import jakarta.persistence.Column;
import jakarta.persistence.Entity;
import jakarta.persistence.Id;
import jakarta.persistence.Table;
import java.time.Instant;

/** The outbox of the configuration topic: a server's document and whether its revision is published. */
@Entity
@Table(name = "server_config")
public class ServerConfigEntity extends PanacheEntityBase {

    @Id
    public String server;

    /** server-config.v1 JSON with revision 0. */
    public String document;

    public long revision;

    @Column(name = "published_revision")
    public long publishedRevision;

    @Column(name = "published_at")
    public Instant publishedAt;
}
