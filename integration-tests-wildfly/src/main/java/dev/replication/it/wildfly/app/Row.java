package dev.replication.it.wildfly.app;

import jakarta.persistence.EntityManager;

/**
 * What a read saw, and where: the row's value ({@code null} when absent), the server port of the connection
 * ({@code inet_server_port()}), whether that transaction was read-only, and whether the server was a standby.
 * Sent as one text line: {@code value|port|readOnly|inRecovery}.
 */
public record Row(String value, int port, boolean readOnly, boolean inRecovery) {

    /** Reads item {@code id} and where the EntityManager's connection is, in its current transaction. */
    public static Row read(EntityManager em, long id) {
        Item item = em.find(Item.class, id);
        return where(em, item == null ? null : item.getValue());
    }

    /** Where the EntityManager's connection is, in its current transaction. */
    public static Row where(EntityManager em, String value) {
        Object[] r = (Object[]) em.createNativeQuery("select inet_server_port(), current_setting('transaction_read_only'),"
                + " pg_is_in_recovery()").getSingleResult();
        return new Row(value, ((Number) r[0]).intValue(), "on".equals(r[1]), Boolean.TRUE.equals(r[2]));
    }

    public String line() {
        return (value == null ? "" : value) + "|" + port + "|" + readOnly + "|" + inRecovery;
    }
}
