package dev.replication.it.patroni;

import dev.replication.guarantees.FacadeMode;
import dev.replication.guarantees.GuaranteeMode;
import dev.replication.guarantees.GuaranteeRow;
import dev.replication.guarantees.ReadYourWritesBody;
import dev.replication.guarantees.ReplicaKillBody;
import dev.replication.guarantees.TestkitMode;
import dev.replication.testkit.Await;
import dev.replication.testkit.PatroniCluster;
import dev.replication.testkit.PatroniMember;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.TestMethodOrder;

import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.sql.Connection;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Duration;
import java.util.Map;
import java.util.Set;
import java.util.stream.Collectors;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The guarantee matrix, mode "{@code topology=patroni}, resource-local, the facade, 2LC on", on a real
 * Patroni cluster (etcd + 3 members). Replicas are held with {@code recovery_min_apply_delay}
 * ({@code pg_wal_replay_pause()} does not hold under Patroni: it resumes replay). Before 2026-12-07 the
 * library took no token at all in this topology: 20 of 20 reads right after a write were stale.
 * Skipped, saying why, where the Debian packages patroni and etcd-server are missing.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
class PatroniGuaranteesTest {

    private static final String DB = "patroni_guarantees";

    private PatroniCluster cluster;
    private PatroniMode mode;

    @BeforeEach
    void patroniInstalled() {
        PatroniCluster.availability().assumePresent();
    }

    @BeforeAll
    void start() throws SQLException {
        if (!PatroniCluster.availability().present()) {
            return;
        }
        cluster = PatroniCluster.builder().members(3).start();
        cluster.createDatabase(DB);
        try (Connection c = cluster.leader().connect(DB)) {
            c.createStatement().execute(GuaranteeRow.DDL);
        }
        cluster.awaitMembersStreaming(Duration.ofSeconds(90));
        Map<String, Object> s = TestkitMode.commonSettings();
        s.put("replication.topology", "patroni");
        s.put("replication.patroni.urls", String.join(",", cluster.restUrls()));
        s.put("replication.primary.url", cluster.members().get(0).jdbcUrl(DB));
        s.put("replication.user", cluster.user());
        s.put("replication.password", cluster.password());
        mode = new PatroniMode(cluster, s);
        mode.awaitReplicasServingReads();
    }

    @AfterAll
    void stop() {
        if (mode != null) {
            mode.close();
        }
        if (cluster != null) {
            cluster.close();
        }
    }

    @Test
    @Order(1)
    void writesTakeTokens() throws Exception {
        mode.insert("first");
        assertThat(mode.token()).as("a token after a write in topology=patroni").isPresent();
    }

    @Test
    @Order(2)
    void readYourWrites() throws Exception {
        ReadYourWritesBody.run(mode, 5);
    }

    @Test
    @Order(3)
    void replicaKilledUnderLoad() throws Exception {
        ReplicaKillBody.run(mode, 4, Duration.ofSeconds(2), Duration.ofSeconds(4));
    }

    /**
     * A token taken before a switchover keeps its meaning after it: WAL positions go on across
     * timelines, so the new leader and the replicas following it compare against the same numbers.
     */
    @Test
    @Order(4)
    void aTokenTakenBeforeASwitchoverStillHoldsAfterIt() throws Exception {
        long id = mode.insert("before switchover");
        String token = mode.token().orElseThrow();
        PatroniMember old = cluster.leader();
        PatroniMember candidate = cluster.members().stream().filter(m -> m != old).findFirst().orElseThrow();
        cluster.switchover(candidate);
        cluster.awaitMembersStreaming(Duration.ofSeconds(90));
        mode.awaitReplicasServingReads();
        mode.holdReplicas();
        try {
            mode.update(id, "after switchover");
            String after = mode.token().orElseThrow();
            GuaranteeMode.Read withOld = mode.asOtherClient(token, () -> mode.read(id));
            assertThat(withOld.value()).as("the old token's write is there").isNotNull();
            GuaranteeMode.Read withNew = mode.asOtherClient(after, () -> mode.read(id));
            assertThat(withNew.value()).as("the write after the switchover, by its token").isEqualTo("after switchover");
        } finally {
            mode.releaseReplicas();
        }
    }

    /** The facade in topology=patroni; replicas held by a WAL apply delay, a replica's postgres SIGKILLed. */
    static final class PatroniMode extends FacadeMode {
        private static final String DELAY = "3s";
        private final PatroniCluster cluster;

        PatroniMode(PatroniCluster cluster, Map<String, Object> settings) {
            super("Patroni, resource-local, 2LC on", settings);
            this.cluster = cluster;
        }

        private Set<PatroniMember> replicas() {
            PatroniMember leader = cluster.leader();
            return cluster.members().stream().filter(m -> m != leader).collect(Collectors.toSet());
        }

        void awaitReplicasServingReads() {
            Await.until("every replica member usable for reads", Duration.ofSeconds(60), () -> {
                String leader = cluster.leader().name();
                return replication().status().primary().equals(leader) && replicas().stream()
                        .allMatch(m -> replication().status().node(m.name()).filter(s -> s.usable()).isPresent());
            });
        }

        /**
         * Through Patroni's dynamic configuration ({@code PATCH /config}): Patroni owns the recovery settings of
         * its members and puts back what {@code ALTER SYSTEM} changed behind its back. Waits until every replica
         * applies it.
         */
        private void applyDelay(String delay) throws Exception {
            String body = "{\"postgresql\":{\"parameters\":{\"recovery_min_apply_delay\":\"" + delay + "\"}}}";
            HttpResponse<String> r = HttpClient.newHttpClient().send(HttpRequest.newBuilder(
                            URI.create(cluster.leader().restUrl() + "/config"))
                    .method("PATCH", HttpRequest.BodyPublishers.ofString(body))
                    .header("Content-Type", "application/json").timeout(Duration.ofSeconds(10)).build(),
                    HttpResponse.BodyHandlers.ofString());
            assertThat(r.statusCode()).as("PATCH /config: %s", r.body()).isEqualTo(200);
            String expected = delay.equals("0") ? "0" : delay;
            Await.until("recovery_min_apply_delay=" + delay + " on every replica", Duration.ofSeconds(30), () -> {
                for (PatroniMember m : replicas()) {
                    try (Connection c = m.connect(); Statement st = c.createStatement();
                         var rs = st.executeQuery("SHOW recovery_min_apply_delay")) {
                        rs.next();
                        if (!rs.getString(1).equals(expected)) {
                            return false;
                        }
                    } catch (SQLException e) {
                        return false;
                    }
                }
                return true;
            });
        }

        @Override
        public void holdReplicas() throws Exception {
            applyDelay(DELAY);
            // a row written now is not yet applied on any replica: the setting has taken effect
            long probe = insert("hold-probe");
            for (PatroniMember m : replicas()) {
                try (Connection c = m.connect(DB); Statement st = c.createStatement()) {
                    var rs = st.executeQuery("SELECT count(*) FROM guarantee_row WHERE id = " + probe);
                    rs.next();
                    assertThat(rs.getLong(1)).as("replica %s holds WAL back", m.name()).isZero();
                }
            }
        }

        @Override
        public void releaseReplicas() throws Exception {
            applyDelay("0");
        }

        @Override
        public Set<Integer> replicaPorts() {
            return replicas().stream().map(PatroniMember::pgPort).collect(Collectors.toSet());
        }

        private PatroniMember killed;

        @Override
        public int killReplica() {
            killed = replicas().iterator().next();
            killed.killPostgres();
            return killed.pgPort();
        }

        @Override
        public void restartKilledReplica() {
            // Patroni restarts the killed postgres by itself
            cluster.awaitMembersStreaming(Duration.ofSeconds(90));
            awaitReplicasServingReads();
        }
    }
}
