package dev.replication.it.jta;

import jakarta.persistence.EntityManager;

/** Which server a statement ran on, and whether a JTA transaction was active around it. */
record Where(int port, boolean inRecovery, boolean jta) {

    static Where of(EntityManager em) {
        Object[] row = (Object[]) em.createNativeQuery("SELECT inet_server_port(), pg_is_in_recovery()").getSingleResult();
        return new Where(((Number) row[0]).intValue(), (Boolean) row[1], JtaTestBase.transactionActive());
    }
}
