package dev.replication.it.jta;

import dev.replication.cdi.Primary;
import dev.replication.cdi.ReadReplica;
import dev.replication.cdi.Routed;
import dev.replication.guarantees.GuaranteeMode;
import dev.replication.guarantees.GuaranteeRow;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;
import jakarta.persistence.EntityManager;
import jakarta.transaction.Transactional;

/**
 * The guarantee bodies' rows through an EE service: {@code @Primary @Transactional} writes, committed by
 * Narayana's {@code @Transactional} interceptor, and {@code @ReadReplica @Transactional} reads.
 */
@ApplicationScoped
public class GuaranteeService {

    @Inject
    @Routed
    EntityManager em;

    @Primary
    @Transactional
    public long insert(String value) {
        GuaranteeRow row = new GuaranteeRow(value);
        em.persist(row);
        em.flush();
        return row.getId();
    }

    @Primary
    @Transactional
    public void update(long id, String value) {
        em.find(GuaranteeRow.class, id).setValue(value);
    }

    /** The row and the server port of the read, in one transaction on one node. */
    @ReadReplica
    @Transactional
    public GuaranteeMode.Read read(long id) {
        GuaranteeRow row = em.find(GuaranteeRow.class, id);
        int port = ((Number) em.createNativeQuery("SELECT inet_server_port()").getSingleResult()).intValue();
        return new GuaranteeMode.Read(row == null ? null : row.getValue(), port);
    }
}
