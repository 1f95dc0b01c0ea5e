package dev.replication.bench;

import jakarta.persistence.Entity;
import jakarta.persistence.Id;
import jakarta.persistence.Table;

/** The benchmark row: {@code item(id bigint primary key, val bigint, name varchar)}, created with plain SQL. */
@Entity
@Table(name = "item")
public class Item {
    @Id
    private long id;
    private long val;
    private String name;

    protected Item() {
    }

    public long getId() {
        return id;
    }

    public long getVal() {
        return val;
    }

    public String getName() {
        return name;
    }
}
