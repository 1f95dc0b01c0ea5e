package dev.replication.demo;

import jakarta.persistence.Entity;
import jakarta.persistence.FetchType;
import jakarta.persistence.GeneratedValue;
import jakarta.persistence.GenerationType;
import jakarta.persistence.Id;
import jakarta.persistence.ManyToOne;
import jakarta.persistence.Table;

/** An order placed by an account; placing it debits the account. */
@Entity
@Table(name = "demo_order")
public class PurchaseOrder {
    @Id
    @GeneratedValue(strategy = GenerationType.IDENTITY)
    private Long id;
    @ManyToOne(fetch = FetchType.LAZY, optional = false)
    private Account account;
    private String item;
    private long amount;

    protected PurchaseOrder() {
    }

    public PurchaseOrder(Account account, String item, long amount) {
        this.account = account;
        this.item = item;
        this.amount = amount;
    }

    public Long getId() {
        return id;
    }

    public String getItem() {
        return item;
    }

    public long getAmount() {
        return amount;
    }
}
