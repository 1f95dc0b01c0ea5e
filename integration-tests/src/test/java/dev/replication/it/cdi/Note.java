package dev.replication.it.cdi;

import jakarta.persistence.Entity;
import jakarta.persistence.Id;
import jakarta.persistence.Table;

@Entity
@Table(name = "cdi_note")
public class Note {
    @Id
    private Long id;
    private String text;

    protected Note() {
    }

    public Note(long id, String text) {
        this.id = id;
        this.text = text;
    }

    public Long getId() {
        return id;
    }

    public String getText() {
        return text;
    }
}
