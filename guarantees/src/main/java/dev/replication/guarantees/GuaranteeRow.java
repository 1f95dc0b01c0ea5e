package dev.replication.guarantees;

import jakarta.persistence.Cacheable;
import jakarta.persistence.Entity;
import jakarta.persistence.GeneratedValue;
import jakarta.persistence.GenerationType;
import jakarta.persistence.Id;
import jakarta.persistence.Table;
import org.hibernate.annotations.Cache;
import org.hibernate.annotations.CacheConcurrencyStrategy;

/**
 * The row the facade modes write and read: table {@code guarantee_row (id bigserial primary key, value text)}.
 * Cacheable, so modes that turn the second-level cache on prove it never serves a replica read older
 * than the token.
 */
@Entity
@Cacheable
@Cache(usage = CacheConcurrencyStrategy.READ_WRITE)
@Table(name = "guarantee_row")
public class GuaranteeRow {
    /** The table, for modes that create it with plain SQL before the session factory starts. */
    public static final String DDL = "CREATE TABLE IF NOT EXISTS guarantee_row (id bigserial PRIMARY KEY, value text)";

    @Id
    @GeneratedValue(strategy = GenerationType.IDENTITY)
    private Long id;
    private String value;

    protected GuaranteeRow() {
    }

    public GuaranteeRow(String value) {
        this.value = value;
    }

    public Long getId() {
        return id;
    }

    public String getValue() {
        return value;
    }

    public void setValue(String value) {
        this.value = value;
    }
}
