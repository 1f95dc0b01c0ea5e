package dev.replication.quarkus;

import dev.replication.hibernate.ReplicationConnectionProvider;
import dev.replication.quarkus.internal.QuarkusSettings;
import io.quarkus.runtime.ExecutionMode;
import org.eclipse.microprofile.config.ConfigProvider;

import java.util.LinkedHashMap;
import java.util.Map;

/**
 * The library's connection provider for a Quarkus persistence unit: nodes are Quarkus named data
 * sources (Agroal pools, enlisted in Narayana JTA by Quarkus), and the {@code replication.*}
 * settings come from MicroProfile Config ({@code application.properties}, system properties,
 * environment), validated as strictly as in persistence.xml. Node {@code n} uses the data source named
 * {@code n}, or the one {@code replication.primary.datasource} / {@code replication.replica.<n>.datasource}
 * names. Tenants are resolved by {@link NodeTenantResolver}.
 * <p>
 * The extension's build step installs it in the default persistence unit through Quarkus' Hibernate ORM integration
 * SPI (no configuration key). Only the default persistence unit is supported. Thread-safe.
 */
public class QuarkusReplicationConnectionProvider extends ReplicationConnectionProvider {
    private static final long serialVersionUID = 1L;

    private static volatile QuarkusReplicationConnectionProvider current;

    /** For Hibernate, which instantiates the provider by class name. */
    public QuarkusReplicationConnectionProvider() {
    }

    @Override
    public void configure(Map<String, Object> settings) {
        if (ExecutionMode.current() == ExecutionMode.STATIC_INIT) {
            // Quarkus builds the metadata at static init with an instance of its own; data sources
            // and runtime configuration exist only in the runtime instance, which routes
            return;
        }
        Map<String, Object> merged = new LinkedHashMap<>(settings);
        merged.keySet().removeIf(k -> k.startsWith(QuarkusSettings.PREFIX));
        merged.putAll(QuarkusSettings.read(ConfigProvider.getConfig()).coreSettings());
        super.configure(merged);
        current = this;
    }

    @Override
    protected boolean tenantsResolvedElsewhere() {
        return true;
    }

    @Override
    public void stop() {
        if (current == this) {
            current = null;
        }
        super.stop();
    }

    /** The provider of the running application's persistence unit, or {@code null} before it started. */
    static QuarkusReplicationConnectionProvider current() {
        return current;
    }
}
