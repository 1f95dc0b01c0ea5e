package dev.replication;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

import java.util.HashMap;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/** Inputs the parser used to accept silently, and secrets kept out of the settings map. */
class ConfigEdgeCasesTest {
    private static final String PASSWORD = "hunter2-secret";

    private static Map<String, Object> base() {
        Map<String, Object> m = new HashMap<>();
        m.put("replication.primary.url", "jdbc:postgresql://db1:5432/app");
        m.put("replication.replicas", "r1,r2");
        m.put("replication.replica.r1.url", "jdbc:postgresql://db2:5432/app");
        m.put("replication.replica.r2.url", "jdbc:postgresql://db3:5432/app");
        return m;
    }

    private static Map<String, Object> with(String key, Object value) {
        Map<String, Object> m = base();
        m.put(key, value);
        return m;
    }

    private static ReplicationConfig parse(Map<String, Object> m) {
        return ReplicationConfig.fromProperties(m);
    }

    @ParameterizedTest
    @ValueSource(strings = {"r1,,r2", "r1, ,r2", "r1,r2,", ",r1,r2"})
    void anEmptyReplicaEntryFailsNamingKeyAndValue(String replicas) {
        assertThatThrownBy(() -> parse(with("replication.replicas", replicas)))
                .isInstanceOf(ReplicationConfigurationException.class)
                .hasMessage("Invalid value '" + replicas + "' for 'replication.replicas': expected a comma-separated"
                        + " list of names of 1 to 63 letters, digits, '_' or '-', without empty entries");
    }

    @Test
    void replicaNamesAreValidTenantIdsUniqueIgnoringCase() {
        assertThatThrownBy(() -> parse(with("replication.replicas", "r1,PRIMARY")))
                .hasMessageContaining("'replication.replicas'").hasMessageContaining("duplicate: 'PRIMARY'");
        Map<String, Object> renamed = with("replication.primary.name", "main");
        renamed.put("replication.replicas", "r1,Main");
        assertThatThrownBy(() -> parse(renamed)).hasMessageContaining("from the primary's name 'main' (duplicate: 'Main')");
        assertThatThrownBy(() -> parse(with("replication.replicas", "r1,R1")))
                .hasMessageContaining("duplicate: 'R1'");
        assertThatThrownBy(() -> parse(with("replication.replicas", "r1,r.2")))
                .hasMessageContaining("'r.2' is not one");
        String tooLong = "r".repeat(64);
        assertThatThrownBy(() -> parse(with("replication.replicas", "r1," + tooLong)))
                .hasMessageContaining("1 to 63 letters");
        assertThatThrownBy(() -> parse(with("replication.primary.name", "my primary")))
                .hasMessage("Invalid value 'my primary' for 'replication.primary.name': expected a name of 1 to 63"
                        + " letters, digits, '_' or '-'");
    }

    @Test
    void aKeyInAnotherCaseFailsInsteadOfBeingIgnored() {
        assertThatThrownBy(() -> parse(with("replication.Selector", "random")))
                .hasMessage("Setting 'replication.Selector' differs from 'replication.selector' in case; keys are"
                        + " case-sensitive, so it would be ignored");
        assertThatThrownBy(() -> parse(with("replication.replica.r1.Weight", "2")))
                .hasMessageContaining("differs from 'replication.replica.r1.weight' in case");
        assertThatThrownBy(() -> parse(with("Replication.max-lag", "1s")))
                .hasMessageContaining("differs from 'replication.max-lag' in case");
    }

    @Test
    void valuesHikariWouldSilentlyReplaceFail() {
        assertThatThrownBy(() -> parse(with("replication.pool.idle-timeout", "5s")))
                .hasMessage("Invalid value '5s' for 'replication.pool.idle-timeout': expected 0 (no limit) or at"
                        + " least 10s (HikariCP's minimum)");
        assertThatThrownBy(() -> parse(with("replication.pool.max-lifetime", "10s")))
                .hasMessageContaining("at least 30s");
        assertThat(parse(with("replication.pool.max-lifetime", "0")).poolMaxLifetime().isZero()).isTrue();
        assertThat(parse(with("replication.pool.idle-timeout", "0")).poolIdleTimeout().isZero()).isTrue();
        assertThatThrownBy(() -> parse(with("replication.failover.promote-timeout", "0")))
                .hasMessage("Invalid value '0' for 'replication.failover.promote-timeout': expected a duration above 0");
        assertThatThrownBy(() -> parse(with("replication.listeners", "a.B,,c.D")))
                .hasMessageContaining("without empty entries");
    }

    @Test
    void theBuilderKeepsPasswordsOutOfItsMap() {
        ReplicationConfig.Builder b = ReplicationConfig.builder()
                .primary("jdbc:postgresql://db1/app", "owner", PASSWORD + "-p")
                .credentials("app", PASSWORD)
                .replica("r1", "jdbc:postgresql://db2/app", "reader", PASSWORD + "-r1", 1)
                .set("replication.replica.r1.password", PASSWORD + "-r1");
        Map<String, Object> map = b.toProperties();
        assertThat(map.toString()).doesNotContain(PASSWORD);
        assertThat(map.get("replication.password")).isInstanceOf(Secret.class).hasToString("<hidden>");
        assertThat(map.values()).allSatisfy(v -> assertThat(v).isInstanceOfAny(String.class, Secret.class));
        ReplicationConfig c = parse(new HashMap<>(map));
        assertThat(c.primary().password()).isEqualTo(PASSWORD + "-p");
        assertThat(c.replicas().get(0).password()).isEqualTo(PASSWORD + "-r1");
        assertThat(b.build().toString()).doesNotContain(PASSWORD);
    }

    @Test
    void aSecretInAHandMadeMapIsUnwrappedAsIs() {
        ReplicationConfig c = parse(with("replication.password", Secret.of(" spaced pw ")));
        assertThat(c.primary().password()).isEqualTo(" spaced pw ");
        assertThat(Secret.of(PASSWORD).toString()).doesNotContain(PASSWORD);
    }

    @Test
    void anEmptyPasswordExplainsHibernatesPlaceholderRule() {
        assertThatThrownBy(() -> parse(with("replication.password", "")))
                .hasMessage("Setting 'replication.password' is empty. Hibernate replaces ${name} in its settings"
                        + " with the system property 'name', and with nothing when there is no such system property"
                        + " (the setting arrives empty, or Hibernate 7 removes it), so ${env.DB_PASSWORD} and the like"
                        + " never reach the library. Name where the password lives instead: 'replication.password-env'"
                        + " (an environment variable's name) or 'replication.password-file' (a file's path)");
        assertThatThrownBy(() -> parse(with("replication.replica.r2.password", " ")))
                .hasMessageContaining("Setting 'replication.replica.r2.password' is empty")
                .hasMessageContaining("'replication.replica.r2.password-env'");
        assertThatThrownBy(() -> parse(with("replication.password-env", "")))
                .hasMessageContaining("Setting 'replication.password-env' is empty. Hibernate replaces ${name}");
        assertThatThrownBy(() -> ReplicationConfig.builder().primary("jdbc:postgresql://db1/app")
                .credentials("u", "").build())
                .hasMessageContaining("Setting 'replication.password' is empty");
        Map<String, Object> noUrl = with("replication.primary.url", "");
        assertThatThrownBy(() -> parse(noUrl))
                .hasMessageContaining("Missing required setting 'replication.primary.url'")
                .hasMessageContaining("it is empty; Hibernate replaces ${name}");
    }

    @ParameterizedTest
    @ValueSource(strings = {
            "jdbc:postgresql://db1:5432/app?password=" + PASSWORD,
            "jdbc:postgresql://db1:5432/app?user=app&password=" + PASSWORD + "&ssl=true",
            "jdbc:postgresql://db1:5432/app?user=app&PASSWORD=" + PASSWORD,
            "jdbc:postgresql://app:" + PASSWORD + "@db1:5432/app",
            "jdbc:postgresql://app:" + PASSWORD + "@x@db1:5432/app"})
    void aPasswordInAUrlFailsWithoutBeingShown(String url) {
        assertThatThrownBy(() -> parse(with("replication.replica.r1.url", url)))
                .isInstanceOf(ReplicationConfigurationException.class)
                .hasMessageStartingWith("Setting 'replication.replica.r1.url' has a password in the JDBC URL")
                .hasMessageContaining("replication.password-env")
                .hasMessageNotContaining(PASSWORD)
                .hasMessageNotContaining("db1");
    }

    @Test
    void aUrlWithoutPasswordPasses() {
        assertThat(parse(with("replication.primary.url", "jdbc:postgresql://h1:5432,h2:5433/app?user=app&sslmode=require"))
                .primary().url()).endsWith("sslmode=require");
    }

    @Test
    void aHikariPassThroughCannotCarryAPassword() {
        assertThatThrownBy(() -> parse(with("replication.hikari.dataSource.password", PASSWORD)))
                .hasMessageStartingWith("Setting 'replication.hikari.dataSource.password' would pass a password")
                .hasMessageNotContaining(PASSWORD);
        assertThatThrownBy(() -> parse(with("replication.hikari.password", PASSWORD)))
                .hasMessageNotContaining(PASSWORD);
    }
}
