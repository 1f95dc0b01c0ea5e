package dev.replication.hibernate;

import dev.replication.ReplicationConfigurationException;
import org.hibernate.boot.Metadata;
import org.hibernate.boot.spi.BootstrapContext;
import org.hibernate.engine.jdbc.connections.spi.MultiTenantConnectionProvider;
import org.hibernate.engine.spi.SessionFactoryImplementor;
import org.hibernate.integrator.spi.Integrator;

/**
 * Discovered by Hibernate through {@code META-INF/services}: when a session factory uses
 * {@link ReplicationConnectionProvider}, binds the tenant resolver to the provider's runtime and
 * evicts the second-level cache whenever a new primary takes over.
 */
public class ReplicationIntegrator implements Integrator {

    @Override
    public void integrate(Metadata metadata, BootstrapContext bootstrapContext, SessionFactoryImplementor sessionFactory) {
        MultiTenantConnectionProvider<?> mtcp = sessionFactory.getServiceRegistry()
                .getService(MultiTenantConnectionProvider.class);
        if (!(mtcp instanceof ReplicationConnectionProvider provider)) {
            return;
        }
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
        if (sessionFactory.getSessionFactoryOptions().isSecondLevelCacheEnabled()) {
            provider.runtime().guardSecondLevelCache();
        }
        provider.runtime().onPrimaryChange(newPrimary -> {
            if (sessionFactory.getCache() != null) {
                sessionFactory.getCache().evictAllRegions();
            }
        });
    }
}
