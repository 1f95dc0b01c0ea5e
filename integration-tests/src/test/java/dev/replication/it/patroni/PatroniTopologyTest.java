package dev.replication.it.patroni;

import dev.replication.NodeStatus;
import dev.replication.Replication;
import com.sun.net.httpserver.HttpServer;
import dev.replication.it.core.Fixture;
import dev.replication.it.observability.LogCapture;
import dev.replication.it.patroni.PatroniLoad.Ack;
import dev.replication.spi.RoutingListener;
import dev.replication.testkit.Await;
import dev.replication.testkit.PatroniCluster;
import dev.replication.testkit.PatroniMember;
import dev.replication.testkit.PatroniTags;
import jakarta.persistence.EntityManagerFactory;
import jakarta.persistence.Persistence;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.TestMethodOrder;

import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.sql.Connection;
import java.sql.SQLException;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.stream.Collectors;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * {@code replication.topology=patroni} on a real Patroni cluster (etcd + 3 members): the library follows
 * Patroni's leader through both ways a leader fails, a planned switchover, members joining, leaving and
 * tagged {@code noloadbalance}. Skipped, saying why, where the Debian packages patroni and etcd-server
 * are missing ({@code .ci/run} installs them).
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
class PatroniTopologyTest {

    private static final String DB = "patroni_it";

    private PatroniCluster cluster;
    private EntityManagerFactory emf;
    private Replication r;
    private final List<String> primaryChanges = new CopyOnWriteArrayList<>();
    private final Map<String, String> results = new LinkedHashMap<>();

    /** Each test starts from a healthy cluster: every member streaming, every replica serving reads. */
    @BeforeEach
    void patroniInstalledAndClusterHealthy() {
        PatroniCluster.availability().assumePresent();
        awaitAllReplicasServingReads();
    }

    @BeforeAll
    void start() throws SQLException {
        if (!PatroniCluster.availability().present()) {
            return;
        }
        cluster = PatroniCluster.builder().members(3).start();
        cluster.createDatabase(DB);
        try (Connection c = cluster.leader().connect(DB)) {
            c.createStatement().execute("CREATE TABLE load_w (id bigserial PRIMARY KEY, port int, tli bigint,"
                    + " at timestamptz DEFAULT clock_timestamp())");
            c.createStatement().execute("CREATE TABLE account (balance bigint not null, id bigint not null,"
                    + " owner varchar(255), primary key (id))");
        }
        emf = Persistence.createEntityManagerFactory("core-it", libraryProperties(String.join(",", cluster.restUrls())));
        r = Replication.of(emf);
        r.addListener(new RoutingListener() {
            @Override
            public void primaryChanged(String oldPrimary, String newPrimary, boolean promotedByUs) {
                primaryChanges.add(oldPrimary + "->" + newPrimary + (promotedByUs ? " (promoted by us)" : ""));
            }
        });
        awaitAllReplicasServingReads();
    }

    private Map<String, Object> libraryProperties(String patroniUrls) {
        Map<String, Object> props = new HashMap<>();
        props.put("replication.topology", "patroni");
        props.put("replication.patroni.urls", patroniUrls);
        props.put("replication.primary.url", cluster.members().get(0).jdbcUrl(DB));
        props.put("replication.user", cluster.user());
        props.put("replication.password", cluster.password());
        props.put("jakarta.persistence.schema-generation.database.action", "none");
        return props;
    }

    @AfterAll
    void stop() {
        results.forEach((k, v) -> System.out.printf("[patroni] %s: %s%n", k, v));
        if (emf != null) {
            emf.close();
        }
        if (cluster != null) {
            cluster.close();
        }
    }

    /** Patroni's members all stream, and the library reads on every replica, on the leader's timeline. */
    private void awaitAllReplicasServingReads() {
        cluster.awaitMembersStreaming(Duration.ofSeconds(90));
        Await.until("every replica member usable for reads on the leader's timeline", Duration.ofSeconds(60), () -> {
            String leader = cluster.leader().name();
            if (!r.status().primary().equals(leader)) {
                return false;
            }
            long timeline = r.status().node(leader).orElseThrow().timeline();
            return cluster.members().stream().filter(m -> !m.name().equals(leader))
                    .allMatch(m -> r.status().node(m.name()).filter(s -> s.usable() && s.timeline() == timeline)
                            .isPresent());
        });
    }

    @Test
    @Order(1)
    void theLeaderIsThePrimaryAndReadsSpreadOverTheReplicas() {
        String leader = cluster.leader().name();
        assertThat(r.status().primary()).isEqualTo(leader);
        Map<Integer, Integer> ports = new TreeMap<>();
        for (int i = 0; i < 60; i++) {
            ports.merge(r.read(em -> Fixture.where(em).port()), 1, Integer::sum);
        }
        Set<Integer> replicaPorts = cluster.members().stream().filter(m -> !m.name().equals(leader))
                .map(PatroniMember::pgPort).collect(Collectors.toSet());
        assertThat(ports.keySet()).as("reads by port").isEqualTo(replicaPorts);
        int written = r.write(em -> Fixture.where(em).port());
        assertThat(written).isEqualTo(cluster.leader().pgPort());
    }

    @Test
    @Order(2)
    void theLeadersPostgresKilledAloneIsRestartedInPlaceAndWritesResumeThere() throws Exception {
        PatroniMember leader = cluster.leader();
        try (PatroniLoad load = new PatroniLoad(r)) {
            Await.until("load running", Duration.ofSeconds(10), () -> load.acks.size() >= 5 && load.reads.get() > 10);
            long timeline = load.lastTimeline();
            long killed = System.nanoTime();
            leader.killPostgres();
            Await.until("a write acknowledged on the next timeline", Duration.ofSeconds(60),
                    () -> load.firstAckAfterTimeline(timeline) != null);
            Ack first = load.firstAckAfterTimeline(timeline);
            // the replicas, still on the old timeline for a moment, hold a prefix of the restarted leader's
            // history: they keep serving reads (before 2026-11-28 they were excluded as "follows an old primary")
            Map<Integer, Integer> ports = readPorts(20);
            assertThat(ports).as("reads right after the in-place restart").doesNotContainKey(leader.pgPort());
            long readsBefore = load.reads.get();
            Await.until("more reads", Duration.ofSeconds(10), () -> load.reads.get() > readsBefore + 20);
            load.close();
            assertThat(first.port()).as("the same member leads again").isEqualTo(leader.pgPort());
            assertThat(cluster.leader().name()).isEqualTo(leader.name());
            assertThat(load.failedReads.get()).as("failed reads: %s", load.readFailures).isZero();
            assertNoWriteOffTheLeader(load.acks);
            results.put("leader postgres SIGKILL (Patroni restarts it in place)", String.format(
                    "kill -> first write %d ms, %d failed writes meanwhile, 0 failed of %d reads",
                    (first.nanos() - killed) / 1_000_000, load.failedWrites.get(), load.reads.get()));
        }
        awaitAllReplicasServingReads();
    }

    @Test
    @Order(3)
    void theWholeLeaderKilledHandsWritesToThePromotedMemberAndTheOldLeaderRejoinsAsAReplica() throws Exception {
        PatroniMember old = cluster.leader();
        long killed;
        Ack first;
        try (PatroniLoad load = new PatroniLoad(r)) {
            Await.until("load running", Duration.ofSeconds(10), () -> load.acks.size() >= 5 && load.reads.get() > 10);
            long timeline = load.lastTimeline();
            killed = System.nanoTime();
            old.killPatroni();
            Await.until("a write acknowledged on the next timeline", Duration.ofSeconds(90),
                    () -> load.firstAckAfterTimeline(timeline) != null);
            first = load.firstAckAfterTimeline(timeline);
            long readsBefore = load.reads.get();
            Await.until("more reads", Duration.ofSeconds(10), () -> load.reads.get() > readsBefore + 20);
            load.close();
            PatroniMember leader = cluster.leader();
            assertThat(leader.name()).isNotEqualTo(old.name());
            assertThat(first.port()).as("writes resume on the member Patroni promoted").isEqualTo(leader.pgPort());
            assertThat(r.status().primary()).isEqualTo(leader.name());
            assertThat(load.failedReads.get()).as("failed reads: %s", load.readFailures).isZero();
            assertNoWriteOffTheLeader(load.acks);
            assertThat(primaryChanges).last().asString().isEqualTo(old.name() + "->" + leader.name());
            results.put("leader Patroni + postgres SIGKILL (failover after ttl)", String.format(
                    "kill -> first write %d ms, %d failed writes meanwhile, 0 failed of %d reads",
                    (first.nanos() - killed) / 1_000_000, load.failedWrites.get(), load.reads.get()));
        }
        long restarted = System.nanoTime();
        old.start();
        // it serves reads again only once it is a standby on the new timeline
        Await.until("the old leader serving reads again", Duration.ofSeconds(90), () -> {
            // Patroni stops listing a dead member after ttl and lists it again once restarted
            NodeStatus s = r.status().node(old.name()).orElse(null);
            if (s == null) {
                return false;
            }
            if (s.usable()) {
                assertThat(s.observedRole().name()).isEqualTo("REPLICA");
                assertThat(s.timeline()).isEqualTo(r.status().node(r.status().primary()).orElseThrow().timeline());
            }
            return s.usable();
        });
        results.put("old leader restarted -> serves reads as a replica", (System.nanoTime() - restarted) / 1_000_000 + " ms");
        awaitAllReplicasServingReads();
    }

    @Test
    @Order(4)
    void aPlannedSwitchoverLosesNoReadAndPausesWritesBriefly() throws Exception {
        PatroniMember old = cluster.leader();
        PatroniMember candidate = cluster.members().stream().filter(m -> !m.name().equals(old.name())).findFirst()
                .orElseThrow();
        try (PatroniLoad load = new PatroniLoad(r); LogCapture logs = new LogCapture()) {
            Await.until("load running", Duration.ofSeconds(10), () -> load.acks.size() >= 5 && load.reads.get() > 10);
            long timeline = load.lastTimeline();
            long asked = System.nanoTime();
            cluster.switchover(candidate);
            Await.until("a write on the candidate", Duration.ofSeconds(60), () -> load.firstAckAfterTimeline(timeline) != null);
            assertThat(load.firstAckAfterTimeline(timeline).port()).isEqualTo(candidate.pgPort());
            long readsBefore = load.reads.get();
            Await.until("more reads", Duration.ofSeconds(10), () -> load.reads.get() > readsBefore + 20);
            load.close();
            assertThat(load.failedReads.get()).as("failed reads: %s", load.readFailures).isZero();
            assertNoWriteOffTheLeader(load.acks);
            assertThat(logs.lines(" SEVERE ").stream().filter(l -> l.startsWith("dev.replication ")).toList())
                    .as("a planned switchover logs no error of the library").isEmpty();
            results.put("switchover through Patroni's API", String.format("longest write pause %d ms, %d failed"
                    + " writes, 0 failed of %d reads", longestGapMillis(load.acks, asked), load.failedWrites.get(),
                    load.reads.get()));
        }
        awaitAllReplicasServingReads();
    }

    @Test
    @Order(5)
    void membersThatJoinServeReadsThoseThatLeaveOrAreTaggedDoNot() {
        long asked = System.nanoTime();
        PatroniMember added = cluster.addMember();
        Await.until("the new member serving reads", Duration.ofSeconds(90),
                () -> r.status().node(added.name()).map(NodeStatus::usable).orElse(false));
        results.put("member added at run time -> serves reads", (System.nanoTime() - asked) / 1_000_000
                + " ms from addMember() (base backup by Patroni included)");
        Await.until("a read on the new member", Duration.ofSeconds(10),
                () -> r.read(em -> Fixture.where(em).port()) == added.pgPort());

        PatroniMember tagged = cluster.members().stream()
                .filter(m -> !m.name().equals(added.name()) && !m.name().equals(cluster.leader().name())).findFirst().orElseThrow();
        tagged.setTags(PatroniTags.NONE.withNoloadbalance(true));
        Await.until("the tagged member out of reads", Duration.ofSeconds(30),
                () -> !r.status().node(tagged.name()).map(NodeStatus::usable).orElse(true)
                        || readsAvoid(tagged.pgPort()));
        Map<Integer, Integer> ports = readPorts(60);
        assertThat(ports).as("no read on the noloadbalance member").doesNotContainKey(tagged.pgPort());
        tagged.setTags(PatroniTags.NONE);

        cluster.removeMember(added);
        Await.until("the removed member gone", Duration.ofSeconds(60), () -> r.status().node(added.name()).isEmpty());
        assertThat(readPorts(60)).as("no read on the removed member").doesNotContainKey(added.pgPort());
    }

    @Test
    @Order(6)
    void whilePatroniIsUnreachableTheLastTopologyStandsAndRoutingGoesOn() throws Exception {
        HttpClient http = HttpClient.newHttpClient();
        String target = cluster.restUrls().get(0);
        HttpServer proxy = forwardingProxy(http, target, 0);
        int proxyPort = proxy.getAddress().getPort();
        Map<String, Object> props = libraryProperties("http://127.0.0.1:" + proxyPort);
        EntityManagerFactory emf2 = Persistence.createEntityManagerFactory("core-it", props);
        try (LogCapture logs = new LogCapture()) {
            Replication r2 = Replication.of(emf2);
            String leader = cluster.leader().name();
            List<String> replicas = cluster.members().stream().map(PatroniMember::name).filter(n -> !n.equals(leader))
                    .toList();
            Await.until("replicas usable", Duration.ofSeconds(30), () -> replicas.stream()
                    .allMatch(n -> r2.status().node(n).map(NodeStatus::usable).orElse(false)));
            List<String> nodesBefore = r2.status().nodes().stream().map(NodeStatus::name).toList();
            proxy.stop(0);
            Await.until("one warning", Duration.ofSeconds(10), () -> !logs.lines("HRR000033").isEmpty());
            Instant warned = Instant.now();
            // Patroni is asked every monitor interval (1 s): let three more polls fail
            Await.until("three more monitor rounds", Duration.ofSeconds(10),
                    () -> r2.monitor().lastCheck().map(t -> t.isAfter(warned.plusSeconds(3))).orElse(false));
            Map<Integer, Integer> ports = new TreeMap<>();
            for (int i = 0; i < 40; i++) {
                ports.merge(r2.read(em -> Fixture.where(em).port()), 1, Integer::sum);
            }
            for (int i = 0; i < 10; i++) {
                int written = r2.write(em -> Fixture.where(em).port());
                assertThat(written).isEqualTo(cluster.leader().pgPort());
            }
            Set<Integer> replicaPorts = cluster.members().stream().filter(m -> !m.name().equals(leader))
                    .map(PatroniMember::pgPort).collect(Collectors.toSet());
            assertThat(ports.keySet()).as("reads go on over the last known replicas").isEqualTo(replicaPorts);
            List<String> nodeNames = r2.status().nodes().stream().map(NodeStatus::name).toList();
            assertThat(nodeNames).as("the last known topology").containsExactlyInAnyOrderElementsOf(nodesBefore);
            assertThat(logs.lines("HRR000033")).as("warned once").hasSize(1);
            assertThat(logs.lines("HRR000032")).as("no member removed").isEmpty();
            HttpServer again = forwardingProxy(http, target, proxyPort);
            try {
                Await.until("Patroni answers again", Duration.ofSeconds(10), () -> !logs.lines("HRR000034").isEmpty());
            } finally {
                again.stop(0);
            }
        } finally {
            emf2.close();
        }
    }

    /** Forwards every GET to {@code target} (a Patroni REST API) on a local port (0: any free one). */
    private static HttpServer forwardingProxy(HttpClient http, String target, int port) throws IOException {
        HttpServer server = HttpServer.create(new InetSocketAddress("127.0.0.1", port), 0);
        server.createContext("/", exchange -> {
            try {
                HttpResponse<byte[]> answer = http.send(HttpRequest.newBuilder(URI.create(target
                        + exchange.getRequestURI())).GET().build(), HttpResponse.BodyHandlers.ofByteArray());
                exchange.sendResponseHeaders(answer.statusCode(), answer.body().length);
                exchange.getResponseBody().write(answer.body());
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                exchange.sendResponseHeaders(502, -1);
            } finally {
                exchange.close();
            }
        });
        server.start();
        return server;
    }

    private boolean readsAvoid(int port) {
        return !readPorts(30).containsKey(port);
    }

    private Map<Integer, Integer> readPorts(int n) {
        Map<Integer, Integer> ports = new TreeMap<>();
        for (int i = 0; i < n; i++) {
            ports.merge(r.read(em -> Fixture.where(em).port()), 1, Integer::sum);
        }
        return ports;
    }

    /**
     * Writes were only accepted by the leader of their time: along the acknowledgement order the
     * timeline never goes back, and each timeline was written on one server only.
     */
    private static void assertNoWriteOffTheLeader(List<Ack> acks) {
        Map<Long, Set<Integer>> portsByTimeline = new TreeMap<>();
        long highest = -1;
        List<String> backwards = new ArrayList<>();
        for (Ack a : acks) {
            portsByTimeline.computeIfAbsent(a.timeline(), k -> new TreeSet<>()).add(a.port());
            if (a.timeline() < highest) {
                backwards.add("write " + a.id() + " on timeline " + a.timeline() + " after timeline " + highest);
            }
            highest = Math.max(highest, a.timeline());
        }
        assertThat(backwards).as("writes accepted by an old leader").isEmpty();
        portsByTimeline.forEach((tli, ports) -> assertThat(ports).as("servers that accepted writes on timeline " + tli)
                .hasSize(1));
    }

    private static long longestGapMillis(List<Ack> acks, long after) {
        long longest = 0;
        long previous = after;
        for (Ack a : acks) {
            if (a.nanos() > after) {
                longest = Math.max(longest, a.nanos() - previous);
                previous = a.nanos();
            }
        }
        return longest / 1_000_000;
    }
}
