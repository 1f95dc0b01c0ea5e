package dev.replication.bench;

import com.arjuna.ats.internal.jta.transaction.arjunacore.TransactionSynchronizationRegistryImple;
import dev.replication.testkit.PgNode;
import io.agroal.api.AgroalDataSource;
import io.agroal.api.configuration.supplier.AgroalDataSourceConfigurationSupplier;
import io.agroal.api.security.NamePrincipal;
import io.agroal.api.security.SimplePassword;
import io.agroal.narayana.NarayanaTransactionIntegration;
import jakarta.persistence.EntityManager;
import jakarta.persistence.EntityManagerFactory;
import jakarta.persistence.Persistence;
import jakarta.transaction.Status;
import jakarta.transaction.TransactionManager;
import jakarta.transaction.TransactionSynchronizationRegistry;
import org.hibernate.Session;

import java.sql.SQLException;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.function.Function;

/**
 * What a Jakarta EE container brings, for benchmark 4's JTA part: Narayana's transaction manager
 * and Agroal pools enlisted in it (local, non-XA resources: one node per transaction, one-phase
 * commit), as the {@code integration-tests-jta} module assembles them. Every pool has the same
 * configuration, so the library's unit and the plain unit differ only by the library.
 */
final class JtaPools {

    /** Agroal pool size of every node, for the library's unit and the plain one alike. */
    static final int POOL_SIZE = 10;

    private static TransactionManager tm;
    private static TransactionSynchronizationRegistry tsr;

    private final BenchContext ctx;

    JtaPools(BenchContext ctx) {
        this.ctx = ctx;
    }

    /** Narayana's transaction manager, its object store under {@code target/} (set before its first use). */
    static synchronized TransactionManager tm() {
        if (tm == null) {
            String store = Benchmarks.targetDir().resolve("narayana-store").toString();
            System.setProperty("ObjectStoreEnvironmentBean.objectStoreDir", store);
            System.setProperty("com.arjuna.ats.arjuna.objectstore.objectStoreDir", store);
            tm = com.arjuna.ats.jta.TransactionManager.transactionManager();
            tsr = new TransactionSynchronizationRegistryImple();
        }
        return tm;
    }

    /** An Agroal pool of {@link #POOL_SIZE} to {@code node}, enlisting in Narayana; closed by the context. */
    AgroalDataSource pool(PgNode node) {
        TransactionManager manager = tm();
        AgroalDataSourceConfigurationSupplier cfg = new AgroalDataSourceConfigurationSupplier()
                .connectionPoolConfiguration(cp -> cp
                        .maxSize(POOL_SIZE)
                        .minSize(2)
                        .initialSize(2)
                        .acquisitionTimeout(Duration.ofSeconds(2))
                        .transactionIntegration(new NarayanaTransactionIntegration(manager, tsr))
                        .connectionFactoryConfiguration(cf -> cf
                                .jdbcUrl(node.jdbcUrl(BenchContext.DB))
                                .jdbcProperty("connectTimeout", "1")
                                .jdbcProperty("loginTimeout", "1")
                                .jdbcProperty("tcpKeepAlive", "true")
                                .jdbcProperty("ApplicationName", "bench-jta")
                                .principal(new NamePrincipal(ctx.cluster().user()))
                                .credential(new SimplePassword(ctx.cluster().password()))));
        try {
            AgroalDataSource ds = AgroalDataSource.from(cfg);
            ctx.closeLater(ds::close);
            return ds;
        } catch (SQLException e) {
            throw new IllegalStateException("Agroal pool for " + node.name(), e);
        }
    }

    /** The library's JTA unit: one enlisting pool per node (primary + replicas), with {@code overrides}. */
    EntityManagerFactory library(Map<String, String> overrides) {
        Map<String, Object> props = new LinkedHashMap<>();
        props.put("replication.replicas", String.join(",", ctx.cluster().replicas().stream().map(PgNode::name).toList()));
        props.put("replication.primary.datasource", pool(ctx.cluster().primary()));
        for (PgNode r : ctx.cluster().replicas()) {
            props.put("replication.replica." + r.name() + ".datasource", pool(r));
        }
        props.putAll(overrides);
        EntityManagerFactory emf = Persistence.createEntityManagerFactory("bench-jta-routed", props);
        ctx.closeLater(emf::close);
        return emf;
    }

    /** Plain Hibernate on the same primary: one enlisting pool, passed as {@code jakarta.persistence.jtaDataSource}. */
    EntityManagerFactory plain() {
        Map<String, Object> props = new LinkedHashMap<>();
        props.put("jakarta.persistence.jtaDataSource", pool(ctx.cluster().primary()));
        EntityManagerFactory emf = Persistence.createEntityManagerFactory("bench-jta-plain", props);
        ctx.closeLater(emf::close);
        return emf;
    }

    /**
     * One JTA transaction as a container runs it: the transaction manager begins it, a new
     * EntityManager joins it (read-only session when asked, as the library's CDI interceptor opens
     * reads), {@code work} runs, the transaction manager commits (rolls back on failure).
     */
    static <T> T inTransaction(EntityManagerFactory emf, boolean readOnly, Function<EntityManager, T> work)
            throws Exception {
        TransactionManager manager = tm();
        manager.begin();
        EntityManager em = null;
        try {
            em = emf.createEntityManager();
            em.joinTransaction();
            if (readOnly) {
                em.unwrap(Session.class).setDefaultReadOnly(true);
            }
            T result = work.apply(em);
            manager.commit();
            return result;
        } catch (Exception | Error e) {
            if (manager.getStatus() != Status.STATUS_NO_TRANSACTION) {
                manager.rollback();
            }
            throw e;
        } finally {
            if (em != null) {
                em.close();
            }
        }
    }
}
