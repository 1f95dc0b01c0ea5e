package dev.replication.quarkus.internal;

import dev.replication.ReplicationConfig;
import dev.replication.ReplicationConfigurationException;
import io.smallrye.config.PropertiesConfigSource;
import io.smallrye.config.SmallRyeConfig;
import io.smallrye.config.SmallRyeConfigBuilder;
import org.junit.jupiter.api.Test;

import javax.sql.DataSource;
import java.lang.reflect.Proxy;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.function.Function;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class QuarkusSettingsTest {

    private static final Map<String, DataSource> SOURCES = new LinkedHashMap<>();

    static {
        for (String name : Set.of("primary", "replica1", "replica2", "reporting")) {
            SOURCES.put(name, (DataSource) Proxy.newProxyInstance(DataSource.class.getClassLoader(),
                    new Class<?>[]{DataSource.class}, (p, m, a) -> m.getName().equals("toString") ? name : null));
        }
    }

    private static final Function<String, Optional<? extends DataSource>> LOOKUP = n -> Optional.ofNullable(SOURCES.get(n));

    private static SmallRyeConfig config(Map<String, String> props) {
        return new SmallRyeConfigBuilder().withSources(new PropertiesConfigSource(props, "test", 100)).build();
    }

    private static QuarkusSettings read(Map<String, String> props) {
        return QuarkusSettings.read(config(props), LOOKUP);
    }

    @Test
    void nodesGetTheQuarkusDataSourceOfTheirNameOrTheNamedOne() {
        QuarkusSettings s = read(Map.of("replication.replicas", "replica1, r2",
                "replication.replica.r2.datasource", "reporting", "replication.max-lag", "2s",
                "replication.http.cookie", "rt"));
        assertThat(s.coreSettings()).containsEntry("replication.primary.datasource", SOURCES.get("primary"))
                .containsEntry("replication.replica.replica1.datasource", SOURCES.get("replica1"))
                .containsEntry("replication.replica.r2.datasource", SOURCES.get("reporting"))
                .containsEntry("replication.max-lag", "2s")
                .doesNotContainKey("replication.http.cookie");
        assertThat(ReplicationConfig.fromProperties(s.coreSettings()).replicas()).hasSize(2);
        assertThat(s.httpSettings()).isEqualTo(new QuarkusSettings.HttpSettings("X-Consistency-Token", Optional.of("rt"), 2));
    }

    @Test
    void aNodeWithoutADataSourceFailsNamingIt() {
        assertThatThrownBy(() -> read(Map.of("replication.replicas", "replica9")))
                .isInstanceOf(ReplicationConfigurationException.class)
                .hasMessageContaining("Missing Quarkus data source 'replica9' for node 'replica9'")
                .hasMessageContaining("replication.replica.replica9.datasource");
        assertThatThrownBy(() -> read(Map.of("replication.replicas", "replica1", "replication.replica.replica1.datasource", "nope")))
                .hasMessageContaining("Invalid value 'nope' for 'replication.replica.replica1.datasource'");
    }

    @Test
    void urlsAreRefused() {
        assertThatThrownBy(() -> read(Map.of("replication.primary.url", "jdbc:postgresql://h/db")))
                .isInstanceOf(ReplicationConfigurationException.class)
                .hasMessageContaining("Invalid key 'replication.primary.url'")
                .hasMessageContaining("quarkus.datasource.\"primary\".jdbc.url");
    }

    @Test
    void httpKeysAreCheckedStrictly() {
        assertThatThrownBy(() -> read(Map.of("replication.http.headr", "X")))
                .isInstanceOf(ReplicationConfigurationException.class)
                .hasMessageContaining("Unknown key 'replication.http.headr'");
        assertThatThrownBy(() -> read(Map.of("replication.http.header", "X Token")))
                .hasMessageContaining("Invalid value 'X Token' for 'replication.http.header'");
        assertThatThrownBy(() -> read(Map.of("replication.http.cookie", "a;b")))
                .hasMessageContaining("Invalid value 'a;b' for 'replication.http.cookie'");
    }

    @Test
    void retryAfterIsWholeSecondsWithinAnHour() {
        assertThat(QuarkusSettings.http(config(Map.of())).retryAfterSeconds()).isEqualTo(2);
        assertThat(QuarkusSettings.http(config(Map.of("replication.http.retry-after", "5"))).retryAfterSeconds()).isEqualTo(5);
        assertThat(QuarkusSettings.http(config(Map.of("replication.http.retry-after", "0s"))).retryAfterSeconds()).isZero();
        for (String bad : new String[]{"-1", "3601", "1.5", "soon", "2m"}) {
            assertThatThrownBy(() -> QuarkusSettings.http(config(Map.of("replication.http.retry-after", bad))))
                    .isInstanceOf(ReplicationConfigurationException.class)
                    .hasMessageContaining("Invalid value '" + bad + "' for 'replication.http.retry-after'")
                    .hasMessageContaining("whole seconds from 0 to 3600");
        }
    }

    @Test
    void nodeDataSourcesFollowTheNodesKeys() {
        assertThat(QuarkusSettings.nodeDataSources(config(Map.of("replication.replicas", "replica1, r2",
                "replication.replica.r2.datasource", "reporting", "replication.primary.datasource", "<default>"))))
                .containsExactly(Map.entry("primary", "<default>"), Map.entry("replica1", "replica1"),
                        Map.entry("r2", "reporting"));
    }

    @Test
    void theCoreStillRejectsUnknownAndMalformedKeys() {
        assertThatThrownBy(() -> ReplicationConfig.fromProperties(read(Map.of("replication.max-lagg", "2s")).coreSettings()))
                .isInstanceOf(ReplicationConfigurationException.class).hasMessageContaining("replication.max-lagg");
        assertThatThrownBy(() -> ReplicationConfig.fromProperties(read(Map.of("replication.max-lag", "soon")).coreSettings()))
                .isInstanceOf(ReplicationConfigurationException.class).hasMessageContaining("soon");
    }
}
