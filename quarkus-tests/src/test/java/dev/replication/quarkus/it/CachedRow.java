package dev.replication.quarkus.it;

import io.quarkus.hibernate.orm.panache.PanacheEntity;
import jakarta.persistence.Cacheable;
import jakarta.persistence.Entity;

/** A second-level-cached row (Quarkus caches {@code @Cacheable} entities by default). */
@Entity
@Cacheable
public class CachedRow extends PanacheEntity {
    public String value;
    public String category;
}
