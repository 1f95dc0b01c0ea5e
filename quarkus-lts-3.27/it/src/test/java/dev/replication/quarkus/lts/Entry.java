package dev.replication.quarkus.lts;

import jakarta.persistence.Entity;
import jakarta.persistence.GeneratedValue;
import jakarta.persistence.Id;

@Entity
public class Entry {
    @Id
    @GeneratedValue
    public Long id;

    public String text;
}
