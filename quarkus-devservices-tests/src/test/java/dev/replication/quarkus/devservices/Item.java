package dev.replication.quarkus.devservices;

import jakarta.persistence.Entity;
import jakarta.persistence.GeneratedValue;
import jakarta.persistence.Id;

@Entity
public class Item {
    @Id
    @GeneratedValue
    public Long id;

    public String text;

    public Item() {
    }

    public Item(String text) {
        this.text = text;
    }
}
