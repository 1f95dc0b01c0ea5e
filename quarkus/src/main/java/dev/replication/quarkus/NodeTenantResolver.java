package dev.replication.quarkus;

import dev.replication.quarkus.internal.QuarkusSettings;
import io.quarkus.hibernate.orm.PersistenceUnitExtension;
import io.quarkus.hibernate.orm.runtime.tenant.TenantResolver;
import jakarta.enterprise.context.ApplicationScoped;
import org.eclipse.microprofile.config.ConfigProvider;

/**
 * Quarkus' tenant resolver for {@code quarkus.hibernate-orm.multitenant=DATABASE}: the tenant of a
 * new session is the node the thread's routing scope resolves to ({@code @ReadReplica} /
 * {@code @Primary} call in progress), else the primary's ({@code replication.primary.name}, the
 * default tenant). Sessions of replica tenants are kept off the second-level and query caches by
 * the core's {@code ReplicaCacheGuard}, which its {@code ReplicationIntegrator} installs (Quarkus runs
 * Hibernate integrators found in {@code META-INF/services}; {@link QuarkusPersistence} fails startup
 * if it did not run). Replica tenants are also reported as "root" tenants, which only Hibernate 7.4
 * takes as a reason to bypass the cache. Discovered by Quarkus as the default persistence unit's
 * extension; application-scoped, thread-safe.
 * <p>
 * Quarkus fixes a session's tenant when it opens the session. Inside a JTA transaction its
 * session lives for the transaction; outside one, for the request. Every annotated call runs in a
 * transaction of its own (begun by {@code @Transactional} or by the interceptor) and so gets a
 * session opened inside the call, on the call's node, whatever sessions the request used before.
 */
@ApplicationScoped
@PersistenceUnitExtension
public class NodeTenantResolver implements TenantResolver {

    @Override
    public String getDefaultTenantId() {
        return QuarkusSettings.primaryName(ConfigProvider.getConfig());
    }

    @Override
    public String resolveTenantId() {
        return provider().currentTenant();
    }

    @Override
    public boolean isRoot(String tenantId) {
        QuarkusReplicationConnectionProvider p = QuarkusReplicationConnectionProvider.current();
        return p != null && p.isReplicaTenant(tenantId);
    }

    private static QuarkusReplicationConnectionProvider provider() {
        QuarkusReplicationConnectionProvider p = QuarkusReplicationConnectionProvider.current();
        if (p == null) {
            throw new IllegalStateException("The default persistence unit does not use "
                    + QuarkusReplicationConnectionProvider.class.getName() + " (yet): the Hibernate Replication extension"
                    + " installs it when the persistence unit starts; a session was opened before, or the application was"
                    + " built without the extension's deployment module (hibernate-replication-quarkus-deployment)");
        }
        return p;
    }
}
