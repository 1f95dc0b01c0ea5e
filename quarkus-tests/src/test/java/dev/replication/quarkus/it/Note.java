package dev.replication.quarkus.it;

import jakarta.persistence.Entity;
import jakarta.persistence.GeneratedValue;
import jakarta.persistence.Id;

@Entity
public class Note {
    @Id
    @GeneratedValue
    public Long id;

    public String text;

    public Note() {
    }

    public Note(String text) {
        this.text = text;
    }
}
