package dev.replication.it.wildfly;

import dev.replication.guarantees.ReadYourWritesBody;
import dev.replication.guarantees.ReplicaKillBody;
import dev.replication.testkit.Await;
import dev.replication.testkit.PgCluster;
import dev.replication.testkit.PgNode;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.TestMethodOrder;

import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.UUID;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.stream.Collectors;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The library deployed in a WAR on one WildFly server, over a real primary and two streaming replicas on loopback:
 * the container's persistence unit (the server's Hibernate) with the library's connection provider over three data
 * sources of the server, driven over HTTP. One server and one cluster per subclass; the tests run in order, the
 * primary's SIGKILL last. Measured numbers are printed as {@code [wildfly] ...} lines and appended to
 * {@code target/wildfly-runs/summary.txt}.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
abstract class WildFlyScenario {

    private static final String WAR_NAME = "app.war";

    /** The server's name in reports. */
    abstract String serverName();

    /** A short name for directories: letters, digits and dashes. */
    abstract String id();

    /** System property holding the unpacked distribution's directory. */
    abstract String homeProperty();

    abstract boolean preview();

    /** The Hibernate ORM version the server itself ships (and must run the unit). */
    abstract String expectedHibernate();

    PgCluster cluster;
    WildFlyServer server;
    Path war;
    Path work;
    private final Map<String, Object> numbers = new LinkedHashMap<>();
    private Set<Integer> replicaPorts;
    private int primaryPort;

    @BeforeAll
    void boot() throws Exception {
        Path home = requiredPath(homeProperty());
        Path driver = requiredPath("wildfly.driver");
        war = requiredPath("wildfly.war");
        work = Path.of(System.getProperty("wildfly.work", "target/wildfly-runs"));
        Files.createDirectories(work);

        cluster = PgCluster.builder().replicas(2).password(WildFlyServer.DB_PASSWORD).start();
        String db = cluster.createDatabase("app");
        try (Connection c = cluster.primary().connect(db); Statement st = c.createStatement()) {
            st.execute("CREATE TABLE item (id bigserial PRIMARY KEY, value text)");
        }
        cluster.awaitReplicated(Duration.ofSeconds(30));
        primaryPort = cluster.primary().port();
        replicaPorts = cluster.replicas().stream().map(PgNode::port).collect(Collectors.toSet());

        Path template = WildFlyServer.configure(id(), home, driver, work);
        server = WildFlyServer.create(id(), home, preview(), template, work);
        List<PgNode> replicas = cluster.replicas();
        Duration started = server.start(WildFlyServer.urls(cluster.primary().jdbcUrl(db), replicas.get(0).jdbcUrl(db),
                replicas.get(1).jdbcUrl(db)));
        numbers.put("start ms", started.toMillis());
        int mark = server.logLineCount();
        Duration deployed = server.deploy(war, WAR_NAME);
        numbers.put("first deploy ms", deployed.toMillis());
        report("%s started in %d ms, WAR deployed in %d ms (%s)", serverName(), started.toMillis(), deployed.toMillis(),
                server);
        List<String> libraryLines = server.logLines(mark).stream()
                .filter(l -> l.contains("HRR0") && (l.contains(" WARN ") || l.contains(" ERROR "))).toList();
        if (!libraryLines.isEmpty()) {
            report("%s: the library's warnings during the first deploy:%n  %s", serverName(),
                    String.join("\n  ", libraryLines));
        }
        awaitHealthy();
    }

    @AfterAll
    void shutdown() throws Exception {
        try {
            if (server != null) {
                server.close();
            }
        } finally {
            if (cluster != null) {
                cluster.close();
            }
            report("%s numbers: %s", serverName(), numbers);
        }
    }

    // ---------------------------------------------------------------------------------------------------------

    @Test
    @Order(1)
    void theContainersUnitRunsOnTheServersHibernate() throws Exception {
        AppClient client = client();
        assertThat(client.get("diag/unit").expectOk("unit").body())
                .as("the CDI extension routes the container's EntityManagerFactory (no second factory)")
                .isEqualTo("container");
        String[] provider = client.get("diag/provider").expectOk("provider").body().split("\\|", -1);
        assertThat(provider[1]).as("the unit runs on the server's own Hibernate").isEqualTo(expectedHibernate());
        report("%s: unit 'app' on %s %s, JTA platform set by the server: %s", serverName(), provider[0], provider[1],
                provider[2]);
        assertThat(server.logLines(0).stream().filter(l -> l.contains("HRR000001")).count())
                .as("one 'Replication started' (HRR000001) for the one unit").isEqualTo(1);
        assertThat(server.threads("replication-monitor"))
                .as("one monitor thread").hasSize(1);
        assertThat(client.get("diag/mbeans").expectOk("mbeans").body().lines().count())
                .as("one MBean of the library").isEqualTo(1);
    }

    /** Where each usual shape of an EE application reads and writes, by {@code inet_server_port()}. */
    @Test
    @Order(2)
    void placementByShape() throws Exception {
        AppClient client = client();
        long id = Long.parseLong(client.post("items", "placed").expectOk("insert").body());
        cluster.awaitReplicated(Duration.ofSeconds(30));
        Map<String, String> expected = new LinkedHashMap<>();
        expected.put("cdi", "replica");                  // @ReadReplica, the interceptor's own transaction
        expected.put("cdi-transactional", "replica");    // @ReadReplica @Transactional
        expected.put("cdi-strong", "primary-ro");        // @Primary(readOnly = true)
        expected.put("routed", "replica");               // @Inject @Routed EntityManager
        expected.put("ejb-required", "primary");         // container transaction first: pinned to the primary
        expected.put("ejb-required-leaving", "replica"); // @ReadReplica(leaveTransaction = true)
        expected.put("ejb-requires-new", "primary");     // container transaction first: pinned
        expected.put("ejb-supports", "replica");         // no transaction: the library's own, on a replica
        expected.put("ejb-not-supported", "replica");
        List<String> report = new ArrayList<>();
        for (Map.Entry<String, String> e : expected.entrySet()) {
            Set<Integer> ports = new HashSet<>();
            for (int i = 0; i < 4; i++) {
                String[] row = client.get("shapes/read/" + e.getKey() + "/" + id).expectOk(e.getKey()).body().split("\\|");
                assertThat(row[0]).as("%s: the row", e.getKey()).isEqualTo("placed");
                int port = Integer.parseInt(row[1]);
                boolean readOnly = Boolean.parseBoolean(row[2]);
                ports.add(port);
                switch (e.getValue()) {
                    case "replica" -> {
                        assertThat(replicaPorts).as("%s reads on a replica", e.getKey()).contains(port);
                        assertThat(readOnly).as("%s: read-only transaction", e.getKey()).isTrue();
                    }
                    case "primary-ro" -> {
                        assertThat(port).as("%s reads on the primary", e.getKey()).isEqualTo(primaryPort);
                        assertThat(readOnly).as("%s: read-only transaction", e.getKey()).isTrue();
                    }
                    default -> {
                        assertThat(port).as("%s runs on the primary", e.getKey()).isEqualTo(primaryPort);
                        assertThat(readOnly).as("%s: the container's transaction is not made read-only", e.getKey())
                                .isFalse();
                    }
                }
            }
            report.add(e.getKey() + "=" + ports);
        }
        for (String shape : List.of("cdi", "ejb-required", "ejb-requires-new", "ejb-supports", "ejb-not-supported")) {
            String answer = client.post("shapes/write/" + shape, "w-" + shape).expectOk(shape).body();
            assertThat(answer).as("write %s", shape).startsWith("ok|");
            String[] row = answer.substring(3).split("\\|");
            assertThat(Integer.parseInt(row[1])).as("%s writes on the primary", shape).isEqualTo(primaryPort);
            assertThat(Boolean.parseBoolean(row[2])).as("%s: read-write", shape).isFalse();
        }
        report("%s placement (primary %d, replicas %s): %s", serverName(), primaryPort, replicaPorts, report);
    }

    /** Commit and rollback by the server's rules (EJB, {@code @Transactional}) and the library's (no {@code @Transactional}). */
    @Test
    @Order(3)
    void commitAndRollbackByTheServersRules() throws Exception {
        AppClient client = client();
        Map<String, Boolean> committed = new LinkedHashMap<>();
        committed.put("cdi", true);
        committed.put("cdi-runtime", false);                     // @Transactional: runtime exception rolls back
        committed.put("cdi-checked", true);                      // @Transactional: checked exception commits
        committed.put("cdi-checked-rollbackon", false);          // ... unless rollbackOn
        committed.put("cdi-no-transactional", true);             // the library's transaction: commit on return
        committed.put("cdi-no-transactional-checked", false);    // ... rolled back on any exception
        committed.put("cdi-write-in-read", false);               // a write in @ReadReplica: refused
        committed.put("routed", true);
        committed.put("ejb-required", true);
        committed.put("ejb-requires-new", true);
        committed.put("ejb-supports", true);
        committed.put("ejb-not-supported", true);
        committed.put("ejb-runtime", false);                     // system exception: rollback
        committed.put("ejb-application-exception", true);        // application exception: commit
        committed.put("ejb-rollback-application-exception", false); // @ApplicationException(rollback = true)
        committed.put("ejb-set-rollback-only", false);
        committed.put("ejb-audit-then-runtime", false);          // the REQUIRES_NEW audit row commits (below)
        List<String> outcomes = new ArrayList<>();
        for (Map.Entry<String, Boolean> e : committed.entrySet()) {
            String value = e.getKey() + "-" + UUID.randomUUID();
            String answer = client.post("shapes/write/" + e.getKey(), value).expectOk(e.getKey()).body();
            boolean present = countOnPrimary(value) == 1;
            outcomes.add(e.getKey() + ": " + answer + " -> " + (present ? "committed" : "rolled back"));
            assertThat(present).as("%s (%s) committed", e.getKey(), answer).isEqualTo(e.getValue());
            if (e.getKey().equals("cdi-write-in-read")) {
                assertThat(answer).as("a write in a replica read").contains("ReadOnlyViolationException");
            }
            if (e.getKey().equals("ejb-audit-then-runtime")) {
                assertThat(countOnPrimary(value + "-audit")).as("the REQUIRES_NEW audit row").isEqualTo(1);
            }
        }
        report("%s commit/rollback:%n  %s", serverName(), String.join("\n  ", outcomes));
    }

    /** Replicas behind (replay paused): writes then reads inside one request see the writes. */
    @Test
    @Order(4)
    void readYourWritesWithinOneRequest() throws Exception {
        AppClient client = client();
        String ports = replicaPorts.stream().map(String::valueOf).collect(Collectors.joining(","));
        cluster.replicas().forEach(PgNode::pauseReplay);
        String[] r;
        try {
            long control = Long.parseLong(client.post("items", "control").expectOk("insert").body());
            AppClient fresh = client();
            AppClient.Answer unseen = fresh.get("items/" + control);
            assertThat(unseen.status()).as("without a token a held replica does not have the row (else this proves"
                    + " nothing)").isEqualTo(404);
            assertThat(replicaPorts).contains(Integer.parseInt(unseen.header(AppClient.PORT)));
            r = client().post("items/roundtrips?cycles=10&replicaPorts=" + ports, "").expectOk("roundtrips").body()
                    .split("\\|");
        } finally {
            cluster.replicas().forEach(PgNode::resumeReplay);
        }
        numbers.put("ryw within a request: stale/reads", r[1] + "/" + r[0]);
        report("%s read-your-writes within one request, replay paused: %s stale of %s reads (%s on replicas)",
                serverName(), r[1], r[0], r[2]);
        assertThat(Integer.parseInt(r[1])).as("stale reads within one request").isZero();
        awaitHealthy();
    }

    /**
     * Replicas behind; a write whose SQL is only its flush at commit (the entity came from the second-level cache,
     * which WildFly turns on for {@code @Cacheable} entities): the response's token covers it, and the next request
     * reads it.
     */
    @Test
    @Order(5)
    void readYourWritesWhenTheWriteIsTheFlushAtCommit() throws Exception {
        AppClient client = client();
        long id = Long.parseLong(client.post("items", "cached-0").expectOk("insert").body());
        cluster.awaitReplicated(Duration.ofSeconds(30));
        // the row in the primary's second-level cache (a strong read on the primary), so the update below finds it
        // there and runs no SQL before the commit's flush
        client.get("shapes/read/cdi-strong/" + id).expectOk("strong read");
        report("%s: in the interposed beforeCompletion where Hibernate flushes: %s", serverName(),
                client.get("diag/before-completion").expectOk("probe").body());
        String before = client.token().orElseThrow();
        cluster.replicas().forEach(PgNode::pauseReplay);
        AppClient.Answer read;
        String after;
        try {
            client.put("items/" + id, "cached-1").expectOk("update");
            after = client.token().orElseThrow();
            read = client.get("items/" + id);
        } finally {
            cluster.replicas().forEach(PgNode::resumeReplay);
        }
        report("%s: update of a cached row with replay paused: token %s -> %s; the next read answered '%s' on port %s",
                serverName(), before, after, read.body(), read.header(AppClient.PORT));
        assertThat(after).as("the update's response token moves past the token before it").isNotEqualTo(before);
        assertThat(read.body()).as("the next request reads the update").isEqualTo("cached-1");
        awaitHealthy();
    }

    /** The shared body: replicas behind, the token carried across requests by the header. */
    @Test
    @Order(6)
    void readYourWritesAcrossRequestsByHeader() throws Exception {
        try (HttpGuaranteeMode mode = mode()) {
            try {
                ReadYourWritesBody.Result r = ReadYourWritesBody.run(mode, 10);
                numbers.put("ryw across requests: stale/reads", r.stale() + "/" + r.reads());
                numbers.put("ryw caught up: stale/cycles", r.caughtUpStale() + "/" + r.caughtUpReads());
            } finally {
                if (!mode.divergent().isEmpty()) {
                    report("%s: reads that did not see the client's last write:%n  %s", serverName(),
                            String.join("\n  ", mode.divergent()));
                }
            }
        }
        awaitHealthy();
    }

    /** The shared body: a replica SIGKILLed under HTTP read load; 0 failed requests. */
    @Test
    @Order(7)
    void replicaKilledUnderHttpLoad() throws Exception {
        try (HttpGuaranteeMode mode = mode()) {
            ReplicaKillBody.Result r = ReplicaKillBody.run(mode, 4, Duration.ofSeconds(2), Duration.ofSeconds(4));
            numbers.put("replica kill: failed/requests", r.failed() + "/" + r.reads());
        }
        awaitHealthy();
    }

    /** Undeploy and deploy again three times: nothing of the library left behind, nothing logged at ERROR. */
    @Test
    @Order(8)
    void cleanRedeployThreeTimes() throws Exception {
        int mark = server.logLineCount();
        List<Long> undeploys = new ArrayList<>();
        List<Long> deploys = new ArrayList<>();
        for (int i = 1; i <= 3; i++) {
            undeploys.add(server.undeploy(WAR_NAME).toMillis());
            List<String>[] left = new List[1];
            try {
                Await.until("no replication-* thread left after undeploy " + i, Duration.ofSeconds(20), () -> {
                    try {
                        left[0] = server.threads("replication-");
                        return left[0].isEmpty();
                    } catch (java.io.IOException e) {
                        throw new java.io.UncheckedIOException(e);
                    }
                });
            } catch (AssertionError e) {
                throw new AssertionError(e.getMessage() + ": " + left[0], e);
            }
            deploys.add(server.deploy(war, WAR_NAME).toMillis());
            AppClient client = client();
            assertThat(client.get("diag/unit").expectOk("unit").body()).isEqualTo("container");
            assertThat(server.threads("replication-monitor")).as("one monitor thread after deploy %d", i).hasSize(1);
            assertThat(client.get("diag/mbeans").expectOk("mbeans").body().lines().count())
                    .as("one MBean of the library after deploy %d", i).isEqualTo(1);
        }
        List<String> lines = server.logLines(mark);
        List<String> errors = lines.stream().filter(l -> l.contains(" ERROR ")).toList();
        List<String> library = lines.stream().filter(l -> l.contains("HRR0") && !l.contains(" INFO ")).toList();
        numbers.put("undeploy ms", undeploys);
        numbers.put("redeploy ms", deploys);
        report("%s redeploys: undeploy %s ms, deploy %s ms; ERROR lines: %d; library WARN lines: %s", serverName(),
                undeploys, deploys, errors.size(), library);
        assertThat(errors).as("ERROR lines in server.log during undeploy/deploy").isEmpty();
        assertThat(lines.stream().filter(l -> l.contains("HRR000001")).count()).as("one start per deploy").isEqualTo(3);
        awaitHealthy();
    }

    /**
     * A deployment whose unit fails after the library started (no tenant resolver: refused when Hibernate integrates
     * the library, after the connection provider started its monitor and MBean) leaves nothing behind: no thread, no
     * MBean once the good WAR is deployed again.
     */
    @Test
    @Order(9)
    void failedDeployLeavesNothingBehind() throws Exception {
        server.undeploy(WAR_NAME);
        Path broken = work.resolve(id() + "-without-resolver.war");
        Files.copy(war, broken, java.nio.file.StandardCopyOption.REPLACE_EXISTING);
        try (java.nio.file.FileSystem zip = java.nio.file.FileSystems.newFileSystem(broken)) {
            Path xml = zip.getPath("WEB-INF/classes/META-INF/persistence.xml");
            String content = Files.readString(xml);
            String without = content.replaceAll("(?m)^.*hibernate\\.tenant_identifier_resolver.*$", "");
            assertThat(without).isNotEqualTo(content);
            Files.writeString(xml, without);
        }
        int mark = server.logLineCount();
        Path brokenWar = broken;
        String failure = org.assertj.core.api.Assertions.catchThrowable(() -> server.deploy(brokenWar, WAR_NAME)).getMessage();
        assertThat(failure).as("the deployment fails naming the key").contains("hibernate.tenant_identifier_resolver");
        assertThat(server.logLines(mark).stream().filter(l -> l.contains("HRR000001")).count())
                .as("the library had started before the unit failed").isEqualTo(1);
        Await.until("no replication-* thread left after the failed deploy", Duration.ofSeconds(20), () -> {
            try {
                return server.threads("replication-").isEmpty();
            } catch (java.io.IOException e) {
                throw new java.io.UncheckedIOException(e);
            }
        });
        server.deploy(war, WAR_NAME);
        List<String> mbeans = client().get("diag/mbeans").expectOk("mbeans").body().lines().toList();
        report("%s: after a failed deploy and a good one, the library's MBeans: %s", serverName(), mbeans);
        assertThat(mbeans).as("the failed deployment's MBean was unregistered").hasSize(1);
        awaitHealthy();
    }

    /**
     * The primary SIGKILLed under a write load, {@code replication.failover=promote}: writes fail with the library's
     * exceptions (HTTP 503 naming them), then resume on the promoted standby.
     */
    @Test
    @Order(10)
    void primaryKilledWithPromote() throws Exception {
        AppClient writer = client();
        writer.post("items", "before-kill").expectOk("write before the kill");
        record Attempt(long atNanos, int status, String failure, String body) {
        }
        ConcurrentLinkedQueue<Attempt> attempts = new ConcurrentLinkedQueue<>();
        AtomicBoolean stop = new AtomicBoolean();
        long[] lastId = {-1};
        String[] lastValue = {null};
        Thread load = new Thread(() -> {
            int i = 0;
            while (!stop.get()) {
                String value = "kill-" + i++;
                try {
                    AppClient.Answer a = writer.post("items", value);
                    attempts.add(new Attempt(System.nanoTime(), a.status(), a.header(AppClient.FAILURE), a.body()));
                    if (a.ok()) {
                        lastId[0] = Long.parseLong(a.body());
                        lastValue[0] = value;
                    }
                } catch (Exception e) {
                    attempts.add(new Attempt(System.nanoTime(), -1, e.getClass().getSimpleName(), String.valueOf(e.getMessage())));
                }
            }
        }, "writer");
        load.start();
        long killedAt;
        try {
            Await.until("writes before the kill", Duration.ofSeconds(30), () -> attempts.size() >= 20);
            PgNode old = cluster.primary();
            killedAt = System.nanoTime();
            old.kill();
            // writes fail (no primary), then one commits on the promoted standby
            long[] resumedAt = {0};
            Await.until("a write failed after the kill and then one committed", Duration.ofSeconds(60), () -> {
                long failure = attempts.stream().filter(a -> a.atNanos() > killedAt && a.status() != 200)
                        .mapToLong(Attempt::atNanos).min().orElse(Long.MAX_VALUE);
                resumedAt[0] = attempts.stream().filter(a -> a.atNanos() > failure && a.status() == 200)
                        .mapToLong(Attempt::atNanos).min().orElse(0);
                return resumedAt[0] != 0;
            });
            long resumed = resumedAt[0];
            Await.until("20 more writes", Duration.ofSeconds(30),
                    () -> attempts.stream().filter(a -> a.atNanos() > resumed).count() >= 20);
        } finally {
            stop.set(true);
            load.join(Duration.ofSeconds(90).toMillis());
        }
        List<Attempt> after = attempts.stream().filter(a -> a.atNanos() > killedAt).toList();
        List<Attempt> failed = after.stream().filter(a -> a.status() != 200).toList();
        long firstFailure = failed.stream().mapToLong(Attempt::atNanos).min().orElse(killedAt);
        long firstWrite = after.stream().filter(a -> a.status() == 200 && a.atNanos() > firstFailure)
                .mapToLong(Attempt::atNanos).min().orElseThrow();
        Map<String, Long> byFailure = failed.stream().collect(Collectors.groupingBy(
                a -> a.status() + " " + a.failure(), LinkedHashMap::new, Collectors.counting()));
        long killToWrite = (firstWrite - killedAt) / 1_000_000;
        numbers.put("primary kill -> first write ms", killToWrite);
        numbers.put("primary kill: failed writes", failed.size());
        report("%s primary SIGKILL: first write committed %d ms after the kill; %d writes failed meanwhile %s; %d"
                        + " writes after the kill in all", serverName(), killToWrite, failed.size(), byFailure, after.size());
        assertThat(failed).as("writes failed while there was no primary").isNotEmpty();
        assertThat(failed).as("every failed write is a 503 naming one of the library's exceptions")
                .allSatisfy(a -> {
                    assertThat(a.status()).as(a.body()).isEqualTo(503);
                    assertThat(a.failure()).isIn("PrimaryUnavailableException", "TransactionOutcomeUnknownException");
                });
        // the promoted standby is the cluster's primary now; the last write reads back with the writer's token
        PgNode promoted = cluster.replicas().stream().filter(n -> !n.isInRecovery()).findFirst().orElseThrow();
        cluster.adoptPromotion(promoted);
        AppClient.Answer read = writer.get("items/" + lastId[0]).expectOk("read after the failover");
        assertThat(read.body()).isEqualTo(lastValue[0]);
        report("%s promoted %s (port %d); the writer's last write read back on port %s", serverName(), promoted.name(),
                promoted.port(), read.header(AppClient.PORT));
    }

    // ---------------------------------------------------------------------------------------------------------

    AppClient client() {
        return new AppClient(server.httpBase(), null);
    }

    private HttpGuaranteeMode mode() {
        return new HttpGuaranteeMode("WildFly: " + serverName() + " (JTA, IronJacamar data sources, server's Hibernate "
                + expectedHibernate() + ")", server.httpBase(), cluster, this::awaitHealthy);
    }

    void awaitHealthy() {
        cluster.awaitReplicated(Duration.ofSeconds(30));
        AppClient client = client();
        Await.until(serverName() + ": every replica healthy for the library", Duration.ofSeconds(60), () -> {
            try {
                return "true".equals(client.get("diag/healthy").body());
            } catch (Exception e) {
                return false;
            }
        });
    }

    private long countOnPrimary(String value) throws SQLException {
        try (Connection c = cluster.primary().connect("app");
             PreparedStatement ps = c.prepareStatement("SELECT count(*) FROM item WHERE value = ?")) {
            ps.setString(1, value);
            try (ResultSet rs = ps.executeQuery()) {
                rs.next();
                return rs.getLong(1);
            }
        }
    }

    private static Path requiredPath(String property) {
        String v = System.getProperty(property);
        if (v == null || v.isBlank()) {
            throw new IllegalStateException("System property '" + property + "' is not set (run through Maven: mvn verify"
                    + " -pl integration-tests-wildfly)");
        }
        Path p = Path.of(v);
        if (!Files.exists(p)) {
            throw new IllegalStateException(property + " = " + p + " does not exist: the WildFly distributions are"
                    + " unpacked by maven-dependency-plugin in phase pre-integration-test (org.wildfly:wildfly-dist and"
                    + " wildfly-preview-dist zips from Maven Central)");
        }
        return p;
    }

    void report(String format, Object... args) {
        String line = "[wildfly] " + String.format(format, args);
        System.out.println(line);
        try {
            Path summary = Path.of(System.getProperty("wildfly.work", "target/wildfly-runs")).resolve("summary.txt");
            Files.writeString(summary, line + System.lineSeparator(), java.nio.file.StandardOpenOption.CREATE,
                    java.nio.file.StandardOpenOption.APPEND);
        } catch (java.io.IOException e) {
            // the console line is what matters
        }
    }
}
