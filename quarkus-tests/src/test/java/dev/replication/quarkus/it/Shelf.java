package dev.replication.quarkus.it;

import io.quarkus.hibernate.orm.panache.PanacheEntity;
import jakarta.persistence.Cacheable;
import jakarta.persistence.CascadeType;
import jakarta.persistence.Entity;
import jakarta.persistence.OneToMany;
import jakarta.persistence.OrderBy;
import org.hibernate.annotations.Cache;
import org.hibernate.annotations.CacheConcurrencyStrategy;

import java.util.ArrayList;
import java.util.List;

/** A cached entity with a cached collection. */
@Entity
@Cacheable
public class Shelf extends PanacheEntity {
    public String name;

    @OneToMany(mappedBy = "shelf", cascade = CascadeType.PERSIST)
    @OrderBy("id")
    @Cache(usage = CacheConcurrencyStrategy.READ_WRITE)
    public List<ShelfEntry> entries = new ArrayList<>();
}
