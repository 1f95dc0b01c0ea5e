package dev.replication.it.wildfly.app;

import jakarta.persistence.EntityManager;

/**
 * What a read saw, and where: the row's value by {@code find} ({@code null} when absent; it may come from the
 * second-level cache), the server port of the connection ({@code inet_server_port()}), whether that transaction was
 * read-only, whether the server was a standby, and the row's value in that server's table (same transaction and
 * connection; {@code null} when absent there), the session's tenant and cache mode, and the server's WAL position then
 * (replayed on a standby, current on the primary). Sent as one text line:
 * {@code value|port|readOnly|inRecovery|dbValue|tenant/cacheMode|lsn}.
 */
public record Row(String value, int port, boolean readOnly, boolean inRecovery, String dbValue, String session,
                  String lsn) {

    /** Reads item {@code id} and where the EntityManager's connection is, in its current transaction. */
    public static Row read(EntityManager em, long id) {
        Item item = em.find(Item.class, id);
        return where(em, item == null ? null : item.getValue(), id);
    }

    /** Where the EntityManager's connection is, in its current transaction. */
    public static Row where(EntityManager em, String value) {
        return where(em, value, -1);
    }

    private static Row where(EntityManager em, String value, long id) {
        Object[] r = (Object[]) em.createNativeQuery("select inet_server_port(), current_setting('transaction_read_only'),"
                + " pg_is_in_recovery(), (select value from item where id = ?1),"
                + " (case when pg_is_in_recovery() then pg_last_wal_replay_lsn() else pg_current_wal_lsn() end)::text")
                .setParameter(1, id).getSingleResult();
        org.hibernate.Session s = em.unwrap(org.hibernate.Session.class);
        return new Row(value, ((Number) r[0]).intValue(), "on".equals(r[1]), Boolean.TRUE.equals(r[2]), (String) r[3],
                s.getTenantIdentifier() + "/" + s.getCacheMode(), (String) r[4]);
    }

    public String line() {
        return (value == null ? "" : value) + "|" + port + "|" + readOnly + "|" + inRecovery + "|"
                + (dbValue == null ? "" : dbValue) + "|" + session + "|" + lsn;
    }
}
