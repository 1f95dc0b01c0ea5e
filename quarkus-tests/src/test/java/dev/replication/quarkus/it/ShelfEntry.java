package dev.replication.quarkus.it;

import io.quarkus.hibernate.orm.panache.PanacheEntity;
import jakarta.persistence.Cacheable;
import jakarta.persistence.Entity;
import jakarta.persistence.FetchType;
import jakarta.persistence.ManyToOne;

@Entity
@Cacheable
public class ShelfEntry extends PanacheEntity {
    public String title;

    @ManyToOne(fetch = FetchType.LAZY)
    public Shelf shelf;
}
