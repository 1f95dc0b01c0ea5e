package dev.replication.it.jta;

import jakarta.persistence.Entity;
import jakarta.persistence.Id;

@Entity
public class Ledger {
    @Id
    private long id;
    private long amount;

    protected Ledger() {
    }

    public Ledger(long id, long amount) {
        this.id = id;
        this.amount = amount;
    }

    public long getId() {
        return id;
    }

    public long getAmount() {
        return amount;
    }

    public void setAmount(long amount) {
        this.amount = amount;
    }
}
