package dev.replication.it.cdi;

import jakarta.persistence.EntityManager;

/** Which server an EntityManager talks to. */
public record Where(int port, boolean inRecovery) {
    static Where of(EntityManager em) {
        Object[] row = (Object[]) em.createNativeQuery("SELECT inet_server_port(), pg_is_in_recovery()").getSingleResult();
        return new Where(((Number) row[0]).intValue(), (Boolean) row[1]);
    }
}
