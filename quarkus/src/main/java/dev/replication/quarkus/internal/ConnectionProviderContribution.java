package dev.replication.quarkus.internal;

import dev.replication.quarkus.QuarkusReplicationConnectionProvider;
import io.quarkus.hibernate.orm.runtime.integration.HibernateOrmIntegrationRuntimeInitListener;

import java.util.function.BiConsumer;

/**
 * Contributes {@code hibernate.multi_tenant_connection_provider} to a persistence unit's run-time settings, through
 * Quarkus' integration SPI for extensions (as Hibernate Search does for its settings): the unit then takes its tenants'
 * connections from {@link QuarkusReplicationConnectionProvider} instead of Quarkus' own provider, without an
 * {@code unsupported-properties} line and its warnings. Quarkus builds the unit's metadata at static init with its own
 * provider (multi-tenancy on), and re-initiates the service from these settings at run time.
 */
public final class ConnectionProviderContribution implements HibernateOrmIntegrationRuntimeInitListener {

    /** The Hibernate setting, {@code org.hibernate.cfg.MultiTenancySettings#MULTI_TENANT_CONNECTION_PROVIDER}. */
    public static final String SETTING = "hibernate.multi_tenant_connection_provider";

    @Override
    public void contributeRuntimeProperties(BiConsumer<String, Object> propertyCollector) {
        propertyCollector.accept(SETTING, QuarkusReplicationConnectionProvider.class.getName());
    }
}
