package dev.replication.quarkus.deployment;

import dev.replication.quarkus.internal.ReplicationRecorder;
import io.quarkus.deployment.annotations.BuildProducer;
import io.quarkus.deployment.annotations.BuildStep;
import io.quarkus.deployment.annotations.ExecutionTime;
import io.quarkus.deployment.annotations.Record;
import io.quarkus.deployment.builditem.FeatureBuildItem;
import io.quarkus.hibernate.orm.deployment.PersistenceUnitDescriptorBuildItem;
import io.quarkus.hibernate.orm.deployment.integration.HibernateOrmIntegrationRuntimeConfiguredBuildItem;
import io.quarkus.hibernate.orm.runtime.PersistenceUnitUtil;
import io.quarkus.hibernate.orm.runtime.migration.MultiTenancyStrategy;
import io.quarkus.runtime.configuration.ConfigurationException;

import java.util.List;

/**
 * The extension's build steps for Hibernate ORM: the default persistence unit gets the library's multi-tenant
 * connection provider (each node a tenant) through Quarkus' integration SPI for extensions, so applications set no
 * {@code unsupported-properties}; its multi-tenancy must be {@code DATABASE} (the extension's default).
 */
public class HibernateReplicationProcessor {

    /** The feature's name, shown in Quarkus' "Installed features" line and used for Dev Services. */
    public static final String FEATURE = "hibernate-replication";
    private static final String MULTITENANT_KEY = "quarkus.hibernate-orm.multitenant";

    @BuildStep
    FeatureBuildItem feature() {
        return new FeatureBuildItem(FEATURE);
    }

    @BuildStep
    @Record(ExecutionTime.RUNTIME_INIT)
    void connectionProvider(ReplicationRecorder recorder, List<PersistenceUnitDescriptorBuildItem> units,
                            BuildProducer<HibernateOrmIntegrationRuntimeConfiguredBuildItem> integrations) {
        PersistenceUnitDescriptorBuildItem unit = units.stream()
                .filter(u -> PersistenceUnitUtil.isDefaultPersistenceUnit(u.getPersistenceUnitName()))
                .findFirst()
                .orElseThrow(() -> new ConfigurationException("Hibernate Replication routes Quarkus' default Hibernate ORM"
                        + " persistence unit, and the application has none: add an @Entity to it (or configure"
                        + " quarkus.hibernate-orm.*); persistence units found: "
                        + units.stream().map(PersistenceUnitDescriptorBuildItem::getPersistenceUnitName).toList()));
        MultiTenancyStrategy strategy = unit.getConfig().getMultiTenancyStrategy();
        if (strategy != MultiTenancyStrategy.DATABASE) {
            throw new ConfigurationException("Invalid value '" + strategy + "' for '" + MULTITENANT_KEY
                    + "': expected DATABASE (each node is a tenant, resolved by dev.replication.quarkus.NodeTenantResolver),"
                    + " which is the Hibernate Replication extension's default: remove the key or set it to DATABASE");
        }
        integrations.produce(new HibernateOrmIntegrationRuntimeConfiguredBuildItem(FEATURE, unit.getPersistenceUnitName())
                .setInitListener(recorder.connectionProvider()));
    }
}
