package dev.replication.it.tenancy;

import jakarta.persistence.Cacheable;
import jakarta.persistence.Entity;
import jakarta.persistence.GeneratedValue;
import jakarta.persistence.GenerationType;
import jakarta.persistence.Id;
import jakarta.persistence.Table;
import org.hibernate.annotations.Cache;
import org.hibernate.annotations.CacheConcurrencyStrategy;
import org.hibernate.annotations.TenantId;

/** A customer's row, told apart by Hibernate's {@code @TenantId} discriminator. */
@Entity
@Table(name = "invoice")
@Cacheable
@Cache(usage = CacheConcurrencyStrategy.READ_WRITE)
public class Invoice {
    static final String DDL = "CREATE TABLE invoice (id bigserial PRIMARY KEY, customer text NOT NULL, amount bigint NOT NULL)";

    @Id
    @GeneratedValue(strategy = GenerationType.IDENTITY)
    private Long id;
    @TenantId
    private String customer;
    private long amount;

    protected Invoice() {
    }

    Invoice(long amount) {
        this.amount = amount;
    }

    Long id() {
        return id;
    }

    String customer() {
        return customer;
    }

    long amount() {
        return amount;
    }

    void amount(long amount) {
        this.amount = amount;
    }
}
