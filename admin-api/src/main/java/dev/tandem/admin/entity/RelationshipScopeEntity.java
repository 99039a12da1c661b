package dev.tandem.admin.entity;

import io.quarkus.hibernate.orm.panache.PanacheEntityBase;
import jakarta.persistence.Entity;
import jakarta.persistence.Id;
import jakarta.persistence.Table;
import java.util.List;

/** A scope (subnet) in a relationship; the primary key keeps a scope in one relationship at most. */
@Entity
@Table(name = "relationship_scope")
public class RelationshipScopeEntity extends PanacheEntityBase {

    @Id
    public String subnet;

    public String relationship;

    public static List<String> subnetsOf(String relationship) {
        return RelationshipScopeEntity.<RelationshipScopeEntity>list("relationship = ?1 order by subnet", relationship)
                .stream()
                .map(m -> m.subnet)
                .toList();
    }
}
