package dev.replication.it.secrets;

import dev.replication.Replication;
import dev.replication.ReplicationConfig;
import dev.replication.ReplicationConfigurationException;
import dev.replication.cdi.Routed;
import dev.replication.testkit.Await;
import dev.replication.testkit.PgCluster;
import dev.replication.testkit.PgClusterTest;
import dev.replication.testkit.PgNode;
import jakarta.persistence.EntityManager;
import jakarta.persistence.EntityManagerFactory;
import jakarta.persistence.Persistence;
import org.jboss.weld.environment.se.Weld;
import org.jboss.weld.environment.se.WeldContainer;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Duration;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.catchThrowable;

/**
 * Passwords by reference (issue 12, item 2) on a real cluster whose TCP logins need a
 * scram-sha-256 password: the application connects as a login role whose password comes from a
 * file, from the builder, and from an environment variable named in persistence.xml (as the README
 * shows), while every JUL logger (Hibernate, pgjdbc, HikariCP, the library) logs at the finest
 * level; no record, message, exception or {@code toString()} shows the password. Each wrong way of
 * giving it fails at startup with a message that says what to do, without the password.
 */
@PgClusterTest(replicas = 1)
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class SecretsTest {
    private static final String ROLE = "app_login";
    private static final String ENV = "HR_IT_DB_PASSWORD";
    /** The value integration-tests/pom.xml gives {@link #ENV}. */
    private static final String PASSWORD = "It-env-Pa55word-7f3c";

    /** Installed before any Hibernate class loads, so class-init checks of the log level see ALL too. */
    private static final AllLogs LOGS = new AllLogs();

    private PgCluster cluster;
    private String db;

    @TempDir
    Path dir;

    @BeforeAll
    void createRole(PgCluster cluster) throws SQLException {
        assertThat(System.getenv(ENV)).as("environment variable " + ENV + " (set by the surefire configuration)")
                .isEqualTo(PASSWORD);
        this.cluster = cluster;
        this.db = cluster.createDatabase("secrets");
        try (Connection c = cluster.primary().connect(db); Statement st = c.createStatement()) {
            st.execute("CREATE ROLE " + ROLE + " LOGIN PASSWORD '" + PASSWORD + "'");
            st.execute("ALTER DATABASE secrets OWNER TO " + ROLE);
        }
        cluster.awaitReplicated(Duration.ofSeconds(10));
        for (PgNode node : cluster.nodes()) {
            assertThatThrownBy(() -> DriverManager.getConnection(node.jdbcUrl(db), ROLE, "wrong").close())
                    .as("the role needs its password on " + node.name()).hasMessageContaining("password");
            DriverManager.getConnection(node.jdbcUrl(db), ROLE, PASSWORD).close();
        }
    }

    @AfterAll
    void restoreLogging() {
        LOGS.close();
    }

    @BeforeEach
    void clearLogs() {
        LOGS.clear();
    }

    /** URLs and user; the password is up to each test. */
    private Map<String, Object> urls() {
        Map<String, Object> m = new HashMap<>();
        m.put("replication.primary.url", cluster.primary().jdbcUrl(db));
        PgNode replica = cluster.replicas().get(0);
        m.put("replication.replicas", replica.name());
        m.put("replication.replica." + replica.name() + ".url", replica.jdbcUrl(db));
        m.put("replication.monitor.interval", "0");
        return m;
    }

    private Map<String, Object> coreUnit(Map<String, Object> replication) {
        Map<String, Object> m = new HashMap<>(replication);
        m.put("replication.user", ROLE);
        return m;
    }

    @Test
    void passwordFile() throws IOException {
        Path file = Files.writeString(dir.resolve("db-password"), PASSWORD + "\n");
        Map<String, Object> settings = coreUnit(urls());
        settings.put("replication.password-file", file.toString());
        connectsWithoutShowingThePassword(Persistence.createEntityManagerFactory("core-it", settings));
    }

    @Test
    void builder() {
        PgNode replica = cluster.replicas().get(0);
        Map<String, Object> settings = ReplicationConfig.builder()
                .primary(cluster.primary().jdbcUrl(db))
                .replica(replica.name(), replica.jdbcUrl(db))
                .credentials(ROLE, PASSWORD)
                .set("replication.monitor.interval", "0")
                .toProperties();
        assertThat(settings.toString()).doesNotContain(PASSWORD);
        connectsWithoutShowingThePassword(Persistence.createEntityManagerFactory("core-it", settings));
    }

    @Test
    void passwordEnvInPersistenceXmlAsTheReadmeShows() {
        connectsWithoutShowingThePassword(Persistence.createEntityManagerFactory("secrets-env-it", urls()));
        assertThat(LOGS.records()).as("Hibernate printed the unit's settings, with the variable's name only")
                .anySatisfy(r -> assertThat(r).contains("replication.password-env").contains(ENV));
    }

    /**
     * The README's way end to end on Weld SE: the CDI extension builds the factory from the unit
     * (password by environment variable), the deployment's URLs come as system properties.
     */
    @Test
    void theReadmesUnitOnWeldSe() {
        Map<String, String> saved = new HashMap<>();
        System.getProperties().stringPropertyNames().stream().filter(k -> k.startsWith("replication.")
                || k.equals("dev.replication.cdi.persistence-unit")).forEach(k -> saved.put(k, System.getProperty(k)));
        saved.keySet().forEach(System::clearProperty);
        urls().forEach((k, v) -> System.setProperty(k, String.valueOf(v)));
        System.setProperty("dev.replication.cdi.persistence-unit", "secrets-env-it");
        try (WeldContainer weld = new Weld().initialize()) {
            Replication r = weld.select(Replication.class, Routed.Literal.INSTANCE).get();
            connectsWithoutShowingThePassword(r);
        } finally {
            urls().keySet().forEach(System::clearProperty);
            System.clearProperty("dev.replication.cdi.persistence-unit");
            saved.forEach(System::setProperty);
        }
    }

    /** The control: what Hibernate prints at DEBUG holds a literal password (why the README advises against one). */
    @Test
    void aLiteralPasswordIsPrintedByHibernate() {
        Map<String, Object> settings = coreUnit(urls());
        settings.put("replication.password", PASSWORD);
        try (EntityManagerFactory emf = Persistence.createEntityManagerFactory("core-it", settings)) {
            assertThat(currentUser(emf)).isEqualTo(ROLE);
        }
        assertThat(LOGS.records()).anySatisfy(r -> assertThat(r).startsWith("org.hibernate").contains(PASSWORD));
    }

    @Test
    void anUnresolvedPlaceholderFailsExplainingHibernatesRule() {
        assertThat(startupFailure("secrets-placeholder-it", urls(), false))
                .startsWith("Setting 'replication.password' of persistence unit 'secrets-placeholder-it' is a ${...}"
                        + " placeholder in persistence.xml and arrived removed. Hibernate replaces ${name} in its"
                        + " settings with the system property 'name', and with nothing")
                .contains("'replication.password-env'");
    }

    @Test
    void aPasswordInTheUrlFails() {
        Map<String, Object> settings = urls();
        settings.put("replication.primary.url", cluster.primary().jdbcUrl(db) + "?password=" + PASSWORD);
        // Hibernate itself prints the settings, this URL included, before the library sees them
        assertThat(startupFailure("secrets-env-it", settings, true))
                .startsWith("Setting 'replication.primary.url' has a password in the JDBC URL")
                .contains("replication.password-env");
    }

    @Test
    void aMissingVariableFails() {
        Map<String, Object> settings = urls();
        settings.put("replication.password-env", "HR_IT_NOT_SET");
        assertThat(startupFailure("secrets-env-it", settings, false))
                .isEqualTo("Environment variable 'HR_IT_NOT_SET' named by 'replication.password-env' is not set");
    }

    @Test
    void aMissingFileFails() {
        Path missing = dir.resolve("missing");
        Map<String, Object> settings = coreUnit(urls());
        settings.put("replication.replica." + cluster.replicas().get(0).name() + ".password-file", missing.toString());
        assertThat(startupFailure("core-it", settings, false)).isEqualTo("File '" + missing + "' named by 'replication.replica."
                + cluster.replicas().get(0).name() + ".password-file' cannot be read: no such file");
    }

    /** Writes and reads on both nodes as {@link #ROLE}; then nothing captured or printed shows the password. */
    private void connectsWithoutShowingThePassword(EntityManagerFactory emf) {
        try (emf) {
            connectsWithoutShowingThePassword(Replication.of(emf));
        }
    }

    private void connectsWithoutShowingThePassword(Replication r) {
        EntityManagerFactory emf = r.entityManagerFactory();
        // the monitor's checks authenticate as the role too: the replica serves reads once one passed
        Await.until("the replica usable", Duration.ofSeconds(20), () -> {
            r.monitor().checkNow();
            return r.status().nodes().stream().filter(n -> !n.name().equals(r.status().primary()))
                    .allMatch(n -> n.usable());
        });
        assertThat(r.read(this::user)).isEqualTo(ROLE + "@replica");
        assertThat(r.write(this::user)).isEqualTo(ROLE + "@primary");
        assertThat(List.of(emf.toString(), emf.getProperties().toString(), r.toString(), r.status().toString()))
                .allSatisfy(s -> assertThat(s).doesNotContain(PASSWORD));
        List<String> records = LOGS.records();
        assertThat(records).as("records captured").hasSizeGreaterThan(100);
        assertThat(records).as("Hibernate's settings dump was captured")
                .anySatisfy(l -> assertThat(l).startsWith("org.hibernate").contains("replication.user"));
        assertThat(records).as("pgjdbc and HikariCP lines were captured")
                .anySatisfy(l -> assertThat(l).startsWith("org.postgresql"))
                .anySatisfy(l -> assertThat(l).startsWith("com.zaxxer.hikari"));
        assertThat(records).noneSatisfy(l -> assertThat(l).contains(PASSWORD));
    }

    private String user(EntityManager em) {
        Object[] row = (Object[]) em.createNativeQuery("SELECT current_user::text, pg_is_in_recovery()").getSingleResult();
        return row[0] + ((Boolean) row[1] ? "@replica" : "@primary");
    }

    private String currentUser(EntityManagerFactory emf) {
        return Replication.of(emf).write(em -> (String) em.createNativeQuery("SELECT current_user::text").getSingleResult());
    }

    /**
     * Creating the factory fails with a {@link ReplicationConfigurationException}: its message.
     * The exception chain does not show the password, nor does any log record unless
     * {@code settingsHoldPassword}.
     */
    private String startupFailure(String unit, Map<String, Object> settings, boolean settingsHoldPassword) {
        Throwable t = catchThrowable(() -> Persistence.createEntityManagerFactory(unit, settings).close());
        assertThat(t).isNotNull();
        StringWriter trace = new StringWriter();
        t.printStackTrace(new PrintWriter(trace));
        assertThat(trace.toString()).doesNotContain(PASSWORD);
        if (!settingsHoldPassword) {
            assertThat(LOGS.records()).noneSatisfy(l -> assertThat(l).contains(PASSWORD));
        }
        Throwable c = t;
        while (c != null && !(c instanceof ReplicationConfigurationException)) {
            c = c.getCause();
        }
        assertThat(c).as(trace.toString()).isInstanceOf(ReplicationConfigurationException.class);
        return c.getMessage();
    }
}
