package dev.replication.cdi.internal;

import dev.replication.Intent;
import dev.replication.Routing;
import dev.replication.RoutingScope;
import jakarta.annotation.PreDestroy;
import jakarta.enterprise.context.RequestScoped;
import jakarta.persistence.EntityManager;
import jakarta.persistence.EntityManagerFactory;

/**
 * The EntityManager the {@code @Routed} handle uses outside any annotated call: one per request,
 * on the primary (no routing scope is open when it is created), closed when the request ends.
 */
@RequestScoped
public class OutOfScopeEntityManager {
    private EntityManager em;

    /** Opens the request's EntityManager on first use. */
    public synchronized EntityManager entityManager(EntityManagerFactory emf) {
        if (em == null || !em.isOpen()) {
            // READ_STRONG always resolves to the primary, whatever scope the caller has open
            try (RoutingScope ignored = Routing.open(Intent.READ_STRONG)) {
                em = emf.createEntityManager();
            }
        }
        return em;
    }

    @PreDestroy
    synchronized void close() {
        if (em != null && em.isOpen()) {
            em.close();
        }
    }
}
