package dev.replication.demo;

import dev.replication.Routing;
import dev.replication.RoutingScope;
import dev.replication.cdi.Primary;
import dev.replication.cdi.ReadReplica;
import dev.replication.cdi.Routed;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;
import jakarta.persistence.EntityManager;

import java.util.List;

/**
 * The demo application's service. The class is {@code @ReadReplica}: every method reads on a
 * replica in a read-only transaction unless the method says {@code @Primary} (nearest annotation
 * wins). No transaction code, no node choice: the annotations and the library do it.
 */
@ApplicationScoped
@ReadReplica
public class Bank {

    @Inject
    @Routed
    EntityManager em;

    /** Opens an account (the primary, committed on return); returns its id. */
    @Primary
    public Served<Long> openAccount(String owner, long balance) {
        Account a = new Account(owner, balance);
        em.persist(a);
        em.flush();
        return Served.of(em, a.getId());
    }

    /** Places an order and debits the account (the primary, one transaction); returns the order id. */
    @Primary
    public Served<Long> placeOrder(long accountId, String item, long amount) {
        Account a = em.find(Account.class, accountId);
        if (a == null) {
            String probe;
            try {
                probe = "accounts visible: " + em.createNativeQuery("SELECT count(*) FROM demo_account").getSingleResult();
            } catch (RuntimeException e) {
                probe = "probe failed: " + e;
            }
            throw new IllegalArgumentException("no account " + accountId + " (routed to "
                    + Routing.current().flatMap(RoutingScope::decision)
                            .map(d -> d.node() + "/" + d.reason()).orElse("?") + "; " + probe + ")");
        }
        a.debit(amount);
        PurchaseOrder o = new PurchaseOrder(a, item, amount);
        em.persist(o);
        em.flush();
        return Served.of(em, o.getId());
    }

    /** The ids of an account's orders (a replica). */
    public Served<List<Long>> orderIds(long accountId) {
        List<Long> ids = em.createQuery("select o.id from PurchaseOrder o where o.account.id = :a order by o.id", Long.class)
                .setParameter("a", accountId).getResultList();
        return Served.of(em, ids);
    }

    /** An account's balance (a replica); -1 when the replica does not have the account (yet). */
    public Served<Long> balance(long accountId) {
        Account a = em.find(Account.class, accountId);
        return Served.of(em, a == null ? -1L : a.getBalance());
    }

    /** Total number of orders (a replica). */
    public Served<Long> orderCount() {
        return Served.of(em, em.createQuery("select count(o) from PurchaseOrder o", Long.class).getSingleResult());
    }
}
