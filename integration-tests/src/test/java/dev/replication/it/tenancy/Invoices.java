package dev.replication.it.tenancy;

import dev.replication.cdi.Primary;
import dev.replication.cdi.ReadReplica;
import dev.replication.cdi.Routed;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;
import jakarta.persistence.EntityManager;

import java.util.List;

/** A SaaS application's bean: the customer comes from its own resolver, the node from the annotations. */
@ApplicationScoped
@ReadReplica
public class Invoices {
    @Inject
    @Routed
    EntityManager em;

    /** Customers of the rows the current customer sees, and the port the read ran on. */
    public record Seen(List<String> customers, int port) {
    }

    @Primary
    public long create(long amount) {
        Invoice inv = new Invoice(amount);
        em.persist(inv);
        em.flush();
        return inv.id();
    }

    public Seen all() {
        return new Seen(em.createQuery("from Invoice", Invoice.class).getResultList().stream().map(Invoice::customer).toList(),
                ((Number) em.createNativeQuery("select inet_server_port()").getSingleResult()).intValue());
    }

    public Long amount(long id) {
        Invoice inv = em.find(Invoice.class, id);
        return inv == null ? null : inv.amount();
    }
}
