package dev.replication.it.wildfly.app;

import jakarta.persistence.Cacheable;
import jakarta.persistence.Entity;
import jakarta.persistence.GeneratedValue;
import jakarta.persistence.GenerationType;
import jakarta.persistence.Id;
import jakarta.persistence.Table;

/**
 * One row of table {@code item} (created by the tests on the primary before the WAR is deployed). In the second-level
 * cache, which WildFly turns on for every unit (Infinispan, entities marked {@code @Cacheable}): reads by id then come
 * from the cache, and a replica read must not cache a stale row (the library's ReplicaCacheGuard).
 */
@Cacheable
@Entity
@Table(name = "item")
public class Item {
    @Id
    @GeneratedValue(strategy = GenerationType.IDENTITY)
    private Long id;

    private String value;

    protected Item() {
    }

    public Item(String value) {
        this.value = value;
    }

    public Long getId() {
        return id;
    }

    public String getValue() {
        return value;
    }

    public void setValue(String value) {
        this.value = value;
    }
}
