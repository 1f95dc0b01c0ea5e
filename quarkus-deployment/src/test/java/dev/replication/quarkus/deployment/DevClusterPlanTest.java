package dev.replication.quarkus.deployment;

import dev.replication.quarkus.deployment.DevClusterPlanBuildItem.Plan;
import io.quarkus.runtime.configuration.ConfigurationException;
import org.junit.jupiter.api.Test;

import java.util.HashMap;
import java.util.Map;
import java.util.Optional;
import java.util.OptionalInt;
import java.util.Set;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/** Which cluster Dev Services start, and the settings they refuse (key, value, what is allowed). */
class DevClusterPlanTest {

    private static HibernateReplicationBuildTimeConfig.DevServices dev(boolean enabled, Integer replicas, String version,
                                                                      String database) {
        return new HibernateReplicationBuildTimeConfig.DevServices() {
            public boolean enabled() {
                return enabled;
            }

            public OptionalInt replicas() {
                return replicas == null ? OptionalInt.empty() : OptionalInt.of(replicas);
            }

            public Optional<String> version() {
                return Optional.ofNullable(version);
            }

            public String database() {
                return database;
            }
        };
    }

    private static final HibernateReplicationBuildTimeConfig.DevServices DEFAULTS = dev(true, null, null, "quarkus");

    private static Optional<Plan> plan(HibernateReplicationBuildTimeConfig.DevServices dev, Map<String, String> config,
                                       Set<String> withUrl, Set<String> declared) {
        return ReplicatedDevServicesProcessor.plan(dev, k -> Optional.ofNullable(config.get(k)), withUrl::contains,
                ds -> declared.contains(ds) ? Optional.of("postgresql") : Optional.empty());
    }

    private static final Set<String> THREE = Set.of("primary", "replica1", "replica2");

    @Test
    void withoutReplicasSetTwoReplicasAreStartedAndNamed() {
        Plan p = plan(DEFAULTS, Map.of(), Set.of(), THREE).orElseThrow();
        assertThat(p.allDataSources()).containsExactly("primary", "replica1", "replica2");
        assertThat(p.replicasSetting()).contains("replica1,replica2");
        assertThat(p.database()).isEqualTo("quarkus");
    }

    @Test
    void theNodesKeysDecideTheDataSources() {
        Map<String, String> config = new HashMap<>();
        config.put("replication.replicas", "r1, r2 ,r3");
        config.put("replication.primary.datasource", "<default>");
        config.put("replication.replica.r3.datasource", "reporting");
        Plan p = plan(dev(true, 3, "16.10.0", "app"), config, Set.of(),
                Set.of("<default>", "r1", "r2", "reporting")).orElseThrow();
        assertThat(p.primaryDataSource()).isEqualTo("<default>");
        assertThat(p.replicaDataSources()).containsExactly("r1", "r2", "reporting");
        assertThat(p.replicasSetting()).isEmpty();
        assertThat(p.version()).contains("16.10.0");
    }

    @Test
    void noClusterWhenOffOrEveryNodeHasAUrlOrPatroni() {
        assertThat(plan(dev(false, null, null, "quarkus"), Map.of(), Set.of(), THREE)).isEmpty();
        assertThat(plan(DEFAULTS, Map.of(), THREE, THREE)).isEmpty();
        assertThat(plan(DEFAULTS, Map.of("replication.topology", "patroni"), Set.of(), THREE)).isEmpty();
    }

    @Test
    void someUrlsButNotAllFailNamingThem() {
        assertThatThrownBy(() -> plan(DEFAULTS, Map.of(), Set.of("primary"), THREE))
                .isInstanceOf(ConfigurationException.class)
                .hasMessageContaining("[primary] have a jdbc.url and [replica1, replica2] do not")
                .hasMessageContaining("quarkus.hibernate-replication.devservices.enabled=false");
    }

    @Test
    void badSettingsFailNamingKeyValueAndWhatIsAllowed() {
        assertThatThrownBy(() -> plan(dev(true, 0, null, "quarkus"), Map.of(), Set.of(), THREE))
                .hasMessageContaining("Invalid value '0' for 'quarkus.hibernate-replication.devservices.replicas': expected 1 to 10");
        assertThatThrownBy(() -> plan(dev(true, 11, null, "quarkus"), Map.of(), Set.of(), THREE))
                .hasMessageContaining("Invalid value '11'");
        assertThatThrownBy(() -> plan(dev(true, 3, null, "quarkus"), Map.of("replication.replicas", "replica1,replica2"),
                Set.of(), THREE))
                .hasMessageContaining("Invalid value '3' for 'quarkus.hibernate-replication.devservices.replicas'")
                .hasMessageContaining("set it to 2");
        assertThatThrownBy(() -> plan(dev(true, null, "latest", "quarkus"), Map.of(), Set.of(), THREE))
                .hasMessageContaining("Invalid value 'latest' for 'quarkus.hibernate-replication.devservices.version'")
                .hasMessageContaining("17.6.0");
        assertThatThrownBy(() -> plan(dev(true, null, null, "My-DB"), Map.of(), Set.of(), THREE))
                .hasMessageContaining("Invalid value 'My-DB' for 'quarkus.hibernate-replication.devservices.database'");
    }

    @Test
    void anUndeclaredOrNonPostgresDataSourceFails() {
        assertThatThrownBy(() -> plan(DEFAULTS, Map.of(), Set.of(), Set.of("primary", "replica1")))
                .hasMessageContaining("Missing Quarkus data source 'replica2' for node 'replica2'")
                .hasMessageContaining("quarkus.datasource.\"replica2\".db-kind=postgresql");
        assertThatThrownBy(() -> ReplicatedDevServicesProcessor.plan(DEFAULTS, k -> Optional.empty(), ds -> false,
                ds -> Optional.of(ds.equals("replica1") ? "mysql" : "postgresql")))
                .hasMessageContaining("Invalid value 'mysql' for 'quarkus.datasource.\"replica1\".db-kind'");
    }
}
