package dev.replication.it.jta;

import dev.replication.testkit.PgCluster;
import dev.replication.testkit.PgNode;
import io.agroal.api.AgroalDataSource;
import io.agroal.api.configuration.supplier.AgroalDataSourceConfigurationSupplier;
import io.agroal.api.security.NamePrincipal;
import io.agroal.api.security.SimplePassword;
import io.agroal.narayana.NarayanaTransactionIntegration;
import jakarta.transaction.TransactionManager;
import jakarta.transaction.TransactionSynchronizationRegistry;
import com.arjuna.ats.internal.jta.transaction.arjunacore.TransactionSynchronizationRegistryImple;

import java.sql.SQLException;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * What a Jakarta EE container provides: Narayana's transaction manager and one Agroal pool per node,
 * enlisted in JTA (local, non-XA resources: one node per transaction needs only one-phase commit).
 */
final class Pools implements AutoCloseable {
    static final TransactionManager TM = com.arjuna.ats.jta.TransactionManager.transactionManager();
    static final TransactionSynchronizationRegistry TSR = new TransactionSynchronizationRegistryImple();

    /** Node name as the library knows it ("primary" or the replica's testkit name) to its data source. */
    final Map<String, AgroalDataSource> byNode = new LinkedHashMap<>();

    Pools(PgCluster cluster, String db) {
        byNode.put("primary", pool(cluster, cluster.primary(), db));
        for (PgNode r : cluster.replicas()) {
            byNode.put(r.name(), pool(cluster, r, db));
        }
    }

    private static AgroalDataSource pool(PgCluster cluster, PgNode node, String db) {
        AgroalDataSourceConfigurationSupplier cfg = new AgroalDataSourceConfigurationSupplier()
                .connectionPoolConfiguration(cp -> cp
                        .maxSize(20)
                        .acquisitionTimeout(Duration.ofSeconds(2))
                        .transactionIntegration(new NarayanaTransactionIntegration(TM, TSR))
                        .connectionFactoryConfiguration(cf -> cf
                                .jdbcUrl(node.jdbcUrl(db) + "?connectTimeout=1&socketTimeout=5")
                                .principal(new NamePrincipal(cluster.user()))
                                .credential(new SimplePassword(cluster.password()))));
        try {
            return AgroalDataSource.from(cfg);
        } catch (SQLException e) {
            throw new IllegalStateException("Agroal pool for " + node.name(), e);
        }
    }

    @Override
    public void close() {
        byNode.values().forEach(AgroalDataSource::close);
    }
}
