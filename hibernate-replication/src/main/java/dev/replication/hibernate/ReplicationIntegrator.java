package dev.replication.hibernate;

import dev.replication.ReplicationConfigurationException;
import dev.replication.hibernate.internal.ReplicaCacheGuard;
import org.hibernate.boot.Metadata;
import org.hibernate.boot.spi.BootstrapContext;
import org.hibernate.engine.jdbc.connections.spi.MultiTenantConnectionProvider;
import org.hibernate.engine.spi.SessionFactoryImplementor;
import org.hibernate.integrator.spi.Integrator;
import org.hibernate.mapping.PersistentClass;

import java.util.List;

/**
 * Discovered by Hibernate through {@code META-INF/services}: when a session factory uses
 * {@link ReplicationConnectionProvider}, binds the tenant resolver to the provider's runtime,
 * keeps replica sessions away from the second-level cache ({@link ReplicaCacheGuard}) and evicts
 * that cache whenever a new primary takes over.
 */
public class ReplicationIntegrator implements Integrator {

    /** Hibernate's filter behind {@code @TenantId} attributes. */
    private static final String TENANT_ID_FILTER = "_tenantId";

    /**
     * The library uses Hibernate's tenant identifier for the node ("primary", a replica's name), so
     * an entity with a {@code @TenantId} attribute would get a node name as its customer and be
     * read on replicas without its customer filter (replica tenants are "root" tenants). Refused
     * before anything reaches the database.
     */
    private static void refuseApplicationTenancy(Metadata metadata) {
        List<String> entities = metadata.getEntityBindings().stream()
                .filter(pc -> pc.getFilters().stream().anyMatch(f -> TENANT_ID_FILTER.equals(f.getName())))
                .map(PersistentClass::getEntityName)
                .sorted()
                .toList();
        if (!entities.isEmpty()) {
            throw new ReplicationConfigurationException("Entities " + entities + " have a @TenantId attribute, which"
                    + " hibernate-replication does not support yet: it uses Hibernate's tenant identifier for the node"
                    + " ('primary' or a replica's name), so those rows would be written with a node name as their"
                    + " tenant and read on replicas without the tenant filter. Remove @TenantId and filter by the"
                    + " customer column in queries, or keep the unit without "
                    + ReplicationConnectionProvider.class.getName() + " ('hibernate.multi_tenant_connection_provider')");
        }
    }

    @Override
    public void integrate(Metadata metadata, BootstrapContext bootstrapContext, SessionFactoryImplementor sessionFactory) {
        MultiTenantConnectionProvider<?> mtcp = sessionFactory.getServiceRegistry()
                .getService(MultiTenantConnectionProvider.class);
        if (!(mtcp instanceof ReplicationConnectionProvider provider)) {
            return;
        }
        refuseApplicationTenancy(metadata);
        var resolver = sessionFactory.getSessionFactoryOptions().getCurrentTenantIdentifierResolver();
        Object r = resolver;
        if (r instanceof ReplicationTenantResolver ours) {
            ours.bind(provider.runtime());
        } else if (!provider.tenantsResolvedElsewhere()) {
            throw new ReplicationConfigurationException("Invalid value '"
                    + (resolver == null ? null : resolver.getClass().getName())
                    + "' for 'hibernate.tenant_identifier_resolver': expected "
                    + ReplicationTenantResolver.class.getName() + " when hibernate.multi_tenant_connection_provider is "
                    + ReplicationConnectionProvider.class.getName());
        }
        if (sessionFactory.getSessionFactoryOptions().isSecondLevelCacheEnabled()
                || sessionFactory.getSessionFactoryOptions().isQueryCacheEnabled()) {
            provider.runtime().guardSecondLevelCache();
            ReplicaCacheGuard.install(sessionFactory, provider.runtime());
        }
        provider.runtime().onPrimaryChange(newPrimary -> {
            if (sessionFactory.getCache() != null) {
                sessionFactory.getCache().evictAllRegions();
            }
        });
    }
}
