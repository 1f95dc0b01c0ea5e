package dev.replication.hibernate;

import dev.replication.ReplicationConfigurationException;
import dev.replication.hibernate.internal.ReplicaCacheGuard;
import org.hibernate.annotations.TenantId;
import org.hibernate.boot.Metadata;
import org.hibernate.boot.spi.BootstrapContext;
import org.hibernate.engine.jdbc.connections.spi.MultiTenantConnectionProvider;
import org.hibernate.engine.spi.SessionFactoryImplementor;
import org.hibernate.integrator.spi.Integrator;
import org.hibernate.mapping.PersistentClass;
import org.hibernate.service.spi.SessionFactoryServiceRegistry;

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
     * With {@code replication.tenancy=none} the library uses Hibernate's tenant identifier for the
     * node ("primary", a replica's name), so an entity with a {@code @TenantId} attribute would get a
     * node name as its customer and be read on replicas without its customer filter (replica tenants
     * are "root" tenants). Refused before anything reaches the database.
     */
    private static void refuseApplicationTenancy(Metadata metadata) {
        if (metadata.getFilterDefinition(TENANT_ID_FILTER) == null) {
            return;
        }
        // the entities are found by their annotation: the filter's configuration class moved between
        // Hibernate lines (org.hibernate.mapping.FilterConfiguration exists from 7.2 on), and one jar runs on all
        List<String> entities = metadata.getEntityBindings().stream()
                .filter(pc -> hasTenantId(pc.getMappedClass()))
                .map(PersistentClass::getEntityName)
                .sorted()
                .toList();
        throw new ReplicationConfigurationException("Entities " + (entities.isEmpty() ? "of the unit" : entities)
                + " have a @TenantId attribute, but"
                + " 'replication.tenancy' is 'none': Hibernate's tenant identifier is then the node ('primary' or a"
                + " replica's name), so those rows would be written with a node name as their tenant and read on"
                + " replicas without the tenant filter. Set 'replication.tenancy=discriminator' and keep the"
                + " application's own 'hibernate.tenant_identifier_resolver' (the library then takes the node from"
                + " the routing scope)");
    }

    private static boolean hasTenantId(Class<?> type) {
        for (Class<?> c = type; c != null && c != Object.class; c = c.getSuperclass()) {
            for (var f : c.getDeclaredFields()) {
                if (f.isAnnotationPresent(TenantId.class)) {
                    return true;
                }
            }
            for (var m : c.getDeclaredMethods()) {
                if (m.isAnnotationPresent(TenantId.class)) {
                    return true;
                }
            }
        }
        return false;
    }

    /** Checks the tenant resolver against {@code replication.tenancy}, and binds ours. */
    private static void checkResolver(SessionFactoryImplementor sessionFactory, ReplicationConnectionProvider provider) {
        var resolver = sessionFactory.getSessionFactoryOptions().getCurrentTenantIdentifierResolver();
        Object r = resolver;
        String tenancy = provider.runtime().config().tenancy().name().toLowerCase(java.util.Locale.ROOT);
        if (provider.runtime().config().tenancy().composed()) {
            if (r instanceof ReplicationTenantResolver) {
                throw new ReplicationConfigurationException("Invalid value '" + r.getClass().getName()
                        + "' for 'hibernate.tenant_identifier_resolver' with 'replication.tenancy=" + tenancy
                        + "': Hibernate's tenant is then the application's customer, so the resolver must be the"
                        + " application's own (or none, with the tenant given per session); the library takes the node"
                        + " from the routing scope");
            }
            return;
        }
        if (r instanceof ReplicationTenantResolver ours) {
            ours.bind(provider.runtime());
        } else if (!provider.tenantsResolvedElsewhere()) {
            throw new ReplicationConfigurationException("Invalid value '"
                    + (resolver == null ? null : resolver.getClass().getName())
                    + "' for 'hibernate.tenant_identifier_resolver': expected "
                    + ReplicationTenantResolver.class.getName() + " when hibernate.multi_tenant_connection_provider is "
                    + ReplicationConnectionProvider.class.getName() + " and 'replication.tenancy' is 'none' (tenants"
                    + " are nodes); an application resolver that names customers needs 'replication.tenancy' set to"
                    + " discriminator, schema or database");
        }
    }

    @Override
    public void integrate(Metadata metadata, BootstrapContext bootstrapContext, SessionFactoryImplementor sessionFactory) {
        MultiTenantConnectionProvider<?> mtcp = sessionFactory.getServiceRegistry()
                .getService(MultiTenantConnectionProvider.class);
        if (!(mtcp instanceof ReplicationConnectionProvider provider)) {
            return;
        }
        try {
            integrate(metadata, sessionFactory, provider);
        } catch (RuntimeException | Error e) {
            // the unit does not start: stop the monitor, pools and MBean now (an Error would skip Hibernate's cleanup)
            provider.stop();
            throw e;
        }
    }

    private static void integrate(Metadata metadata, SessionFactoryImplementor sessionFactory,
                                  ReplicationConnectionProvider provider) {
        if (!provider.runtime().config().tenancy().composed()) {
            refuseApplicationTenancy(metadata);
        }
        checkResolver(sessionFactory, provider);
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

    /** Nothing to undo: the connection provider's {@code stop()} closes the runtime. Abstract on Hibernate 6.6. */
    @Override
    public void disintegrate(SessionFactoryImplementor sessionFactory, SessionFactoryServiceRegistry serviceRegistry) {
    }
}
