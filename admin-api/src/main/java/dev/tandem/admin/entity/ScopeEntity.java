package dev.tandem.admin.entity;

import io.quarkus.hibernate.orm.panache.PanacheEntityBase;
import jakarta.persistence.Entity;
import jakarta.persistence.GeneratedValue;
import jakarta.persistence.GenerationType;
import jakarta.persistence.Id;
import jakarta.persistence.Table;
import jakarta.persistence.Version;
import java.util.List;

@Entity
@Table(name = "scope")
public class ScopeEntity extends PanacheEntityBase {

    @Id
    @GeneratedValue(strategy = GenerationType.IDENTITY)
    public Long id;

    public String server;

    /** Canonical CIDR. */
    public String subnet;

    public String name;

    /** JSON: the scope of server-config.v1. */
    public String definition;

    @Version
    public long version;

    public static List<ScopeEntity> of(String server) {
        return list("server = ?1 order by subnet", server);
    }

    public static java.util.Optional<ScopeEntity> find(String server, String subnet) {
        return find("server = ?1 and subnet = ?2", server, subnet).firstResultOptional();
    }
}
