package dev.replication.demo;

import dev.replication.NodeRole;
import dev.replication.NodeStatus;
import dev.replication.Replication;
import dev.replication.RoutingReason;
import dev.replication.cdi.ReplicationLag;
import dev.replication.cdi.RequestConsistency;
import dev.replication.cdi.Routed;
import dev.replication.testkit.PgCluster;
import dev.replication.testkit.PgNode;
import jakarta.enterprise.context.control.RequestContextController;
import org.jboss.weld.environment.se.Weld;
import org.jboss.weld.environment.se.WeldContainer;

import java.io.InputStream;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.LongAdder;
import java.util.function.BooleanSupplier;
import java.util.function.Supplier;
import java.util.logging.LogManager;

/**
 * The runnable demo: an embedded primary + 2 streaming replicas (testkit), Weld SE + Hibernate
 * booted from {@code META-INF/persistence.xml}, and the {@link Bank} application driven through a
 * scenario that prints, step by step, what happened and on which node. Exit code 0 when every
 * step behaved as described, 1 otherwise, 2 when the demo could not run at all.
 * <p>
 * With {@code -Ddemo.primary=jdbc:postgresql://... -Ddemo.replicas=jdbc:...,jdbc:... -Ddemo.user=...
 * -Ddemo.password=...} it runs against an existing cluster instead and skips fault injection.
 */
public final class Demo {

    private static final String[] OWNERS = {"alice", "bob", "carol", "dave"};
    private static final String[] ITEMS = {"coffee", "book", "lamp", "chair", "pen", "mug"};
    private static final Duration APPLY_DELAY = Duration.ofMillis(400);

    private final long t0 = System.nanoTime();
    private final List<String[]> results = new ArrayList<>();
    private final Map<Long, Long> expectedBalance = new ConcurrentHashMap<>();
    private final List<Long> accounts = new ArrayList<>();

    private PgCluster cluster; // null against an existing cluster
    private String primaryName;
    private List<String> replicaNames;
    private WeldContainer weld;
    private Bank bank;
    private Replication replication;
    private ReplicationLag lag;
    private Recorder rec;

    private long failoverMillis = -1;
    private String promoted;
    private long failedReadsUnderKill = -1;
    private long readsUnderKill;

    public static void main(String[] args) {
        configureLogging();
        int rc;
        try {
            rc = new Demo().run();
        } catch (Throwable t) {
            Console.line("DEMO ABORTED: " + t);
            rc = 2;
        }
        System.exit(rc);
    }

    private static void configureLogging() {
        System.setProperty("org.jboss.logging.provider", "jdk");
        if (System.getProperty("java.util.logging.config.file") != null) {
            return; // the user's own JUL configuration
        }
        try (InputStream in = Demo.class.getResourceAsStream("/demo-logging.properties")) {
            LogManager.getLogManager().readConfiguration(in);
        } catch (Exception e) {
            System.err.println("demo: cannot configure logging: " + e);
        }
        String library = System.getProperty("demo.log.library"); // e.g. INFO: the library's own log lines too
        if (library != null) {
            LIBRARY_LOG.setLevel(java.util.logging.Level.parse(library));
            for (java.util.logging.Handler h : java.util.logging.Logger.getLogger("").getHandlers()) {
                h.setLevel(java.util.logging.Level.ALL);
            }
        }
    }

    private static final java.util.logging.Logger LIBRARY_LOG = java.util.logging.Logger.getLogger("dev.replication");

    /** Runs the whole scenario; 0 when every step behaved as described, 1 otherwise. */
    int run() throws Exception {
        Console.line("hibernate-replication demo: accounts and orders on a PostgreSQL primary + streaming replicas");
        Console.line("");
        String external = System.getProperty("demo.primary");
        try {
            if (external == null || external.isBlank()) {
                startEmbeddedCluster();
            } else {
                useExistingCluster(external.trim());
            }
            boot();
            step("1. writes go to the primary", this::writes);
            step("2. reads spread over the replicas", this::reads);
            if (cluster != null) {
                step("3. replay paused on a replica: monitor excludes it, then readmits it", this::lagExclusion);
            } else {
                skip("3. replay paused on a replica: monitor excludes it, then readmits it");
            }
            step("4. a write then a read in the same request sees its own write", this::readYourWrites);
            if (cluster != null) {
                step("5. a replica killed under read load (6 threads): no failed read", this::replicaKill);
                step("6. the primary killed: a standby is promoted, writes resume", this::primaryKill);
            } else {
                skip("5. a replica killed under read load (6 threads): no failed read");
                skip("6. the primary killed: a standby is promoted, writes resume");
            }
            summary();
        } finally {
            shutdown();
        }
        boolean ok = results.stream().noneMatch(r -> r[1].equals("FAIL"));
        Console.line("");
        Console.line("%s in %.1f s (exit code %d)", ok ? "ALL STEPS PASSED" : "SOME STEPS FAILED",
                (System.nanoTime() - t0) / 1e9, ok ? 0 : 1);
        return ok ? 0 : 1;
    }

    // ------------------------------------------------------------------ setup

    private void startEmbeddedCluster() {
        Console.line("Setup (embedded cluster from the testkit: real postgres processes on 127.0.0.1)");
        try (Console.Progress p = Console.progress("starting primary + 2 streaming replicas")) {
            cluster = PgCluster.builder().replicas(2).start();
            p.result("PostgreSQL " + cluster.serverVersion() + " up");
        }
        String db;
        try (Console.Progress p = Console.progress("creating database 'demo' and waiting for the replicas to have it")) {
            db = cluster.createDatabase("demo");
        }
        primaryName = cluster.primary().name();
        replicaNames = cluster.replicas().stream().map(PgNode::name).toList();
        Map<String, String> props = new LinkedHashMap<>();
        props.put("replication.primary.name", primaryName);
        props.put("replication.primary.url", cluster.primary().jdbcUrl(db));
        props.put("replication.user", cluster.user());
        props.put("replication.password", cluster.password());
        props.put("replication.replicas", String.join(",", replicaNames));
        for (PgNode r : cluster.replicas()) {
            props.put("replication.replica." + r.name() + ".url", r.jdbcUrl(db));
        }
        // promote mode: only on the embedded cluster, never on someone's real one
        props.put("replication.failover", "promote");
        props.put("replication.failover.primary-failures", "3");
        props.forEach(Demo::setIfAbsent);
        for (PgNode n : cluster.nodes()) {
            Console.line("    %s: %s port %d", n.name(), n.name().equals(primaryName) ? "primary" : "replica", n.port());
        }
    }

    private void useExistingCluster(String primaryUrl) {
        Console.line("Setup (existing cluster from -Ddemo.primary / -Ddemo.replicas: fault injection is SKIPPED)");
        String replicas = System.getProperty("demo.replicas", "");
        primaryName = "primary";
        List<String> names = new ArrayList<>();
        setIfAbsent("replication.primary.name", primaryName);
        setIfAbsent("replication.primary.url", primaryUrl);
        int i = 0;
        for (String url : replicas.split(",")) {
            if (!url.isBlank()) {
                String name = "replica" + (++i);
                names.add(name);
                setIfAbsent("replication.replica." + name + ".url", url.trim());
            }
        }
        if (names.isEmpty()) {
            throw new IllegalArgumentException("-Ddemo.replicas: give at least one replica JDBC URL (comma-separated)");
        }
        replicaNames = List.copyOf(names);
        setIfAbsent("replication.replicas", String.join(",", names));
        if (System.getProperty("demo.user") != null) {
            setIfAbsent("replication.user", System.getProperty("demo.user"));
        }
        if (System.getProperty("demo.password") != null) {
            setIfAbsent("replication.password", System.getProperty("demo.password"));
        }
        Console.line("    %s: %s", primaryName, redact(primaryUrl));
        for (String n : names) {
            Console.line("    %s: %s", n, redact(System.getProperty("replication.replica." + n + ".url")));
        }
        Console.line("    (the demo drops and creates its tables demo_account and demo_order there)");
    }

    /** Hides any query string of a JDBC URL (it may carry a password). */
    private static String redact(String url) {
        int q = url.indexOf('?');
        return q < 0 ? url : url.substring(0, q) + "?...";
    }

    private static void setIfAbsent(String key, String value) {
        if (System.getProperty(key) == null) {
            System.setProperty(key, value);
        }
    }

    private void boot() {
        // the demo's tuning, so that the monitor reacts within a second or two; -D on the command line wins
        setIfAbsent("replication.monitor.interval", "500ms");
        setIfAbsent("replication.monitor.timeout", "400ms");
        setIfAbsent("replication.max-lag", "2s");
        setIfAbsent("replication.readmit-after", "3");
        setIfAbsent("replication.consistency", "wait");
        setIfAbsent("replication.consistency.wait-timeout", "1s");
        setIfAbsent("dev.replication.cdi.persistence-unit", "demo");
        try (Console.Progress p = Console.progress("booting Weld SE + Hibernate from META-INF/persistence.xml (unit 'demo')")) {
            weld = new Weld().initialize();
            bank = weld.select(Bank.class).get();
            replication = weld.select(Replication.class, Routed.Literal.INSTANCE).get();
            lag = weld.select(ReplicationLag.class).get();
        }
        rec = new Recorder(primaryName);
        replication.addListener(rec);
        Console.line("    monitor every %s, max lag %s, readmit after %s good checks, read-after-write %s (wait up to %s)%s",
                System.getProperty("replication.monitor.interval"), System.getProperty("replication.max-lag"),
                System.getProperty("replication.readmit-after"), System.getProperty("replication.consistency"),
                System.getProperty("replication.consistency.wait-timeout"),
                cluster != null ? ", failover " + System.getProperty("replication.failover") : "");
        try (Console.Progress p = Console.progress("waiting until the replicas replayed the schema and the monitor admits them")) {
            awaitCaughtUp();
            boolean ok = await(Duration.ofSeconds(20), () -> {
                lag.checkNow();
                return replicaNames.stream().allMatch(r -> lag.status().node(r).map(NodeStatus::usable).orElse(false));
            });
            p.result(ok ? "all replicas usable" : "NOT all replicas usable: " + lag.status().describe());
        }
    }

    private void shutdown() {
        if (weld != null) {
            try {
                weld.close();
            } catch (RuntimeException e) {
                Console.line("    (closing Weld: " + e + ")");
            }
        }
        if (cluster != null) {
            try (Console.Progress p = Console.progress("stopping the embedded cluster")) {
                cluster.close();
            }
        }
    }

    // ------------------------------------------------------------------ steps

    private interface Step {
        boolean run() throws Exception;
    }

    private void step(String title, Step body) {
        Console.line("");
        Console.line("== Step %s", title);
        long s = System.nanoTime();
        boolean ok;
        String why = "";
        try {
            ok = body.run();
        } catch (Exception | AssertionError e) {
            ok = false;
            why = " (" + e + ")";
            Console.line("    unexpected failure: %s", e);
        }
        String verdict = ok ? "PASS" : "FAIL";
        Console.line("    -> %s (%.1f s)%s", verdict, (System.nanoTime() - s) / 1e9, why);
        results.add(new String[] {title, verdict});
    }

    private void skip(String title) {
        Console.line("");
        Console.line("== Step %s", title);
        Console.line("    -> SKIPPED: existing cluster, the demo does not inject faults into it");
        results.add(new String[] {title, "SKIPPED"});
    }

    /** Step 1: accounts opened and orders placed through {@code @Primary} methods. */
    private boolean writes() {
        boolean ok = true;
        List<Served<Long>> served = new ArrayList<>();
        for (String owner : OWNERS) {
            Served<Long> s = inRequest(() -> bank.openAccount(owner, 100_00));
            accounts.add(s.value());
            expectedBalance.put(s.value(), 100_00L);
            Console.line("    @Primary openAccount(%-5s)         -> account %d on %s", owner, s.value(), s.where());
            served.add(s);
        }
        for (int i = 0; i < 4; i++) {
            long acc = accounts.get(i);
            Served<Long> s = order(acc, ITEMS[i], 250 + i * 100);
            Console.line("    @Primary placeOrder(%-5s, %-6s) -> order %d on %s", OWNERS[i], ITEMS[i], s.value(), s.where());
            served.add(s);
        }
        for (Served<Long> s : served) {
            ok &= check(isPrimary(s), "write ran on " + s.where() + ", expected the primary " + primaryName);
        }
        Console.line("    %d writes, all on %s: %s", served.size(), primaryName, ok ? "yes" : "NO");
        return ok;
    }

    private Served<Long> order(long account, String item, long amount) {
        Served<Long> s = inRequest(() -> bank.placeOrder(account, item, amount));
        expectedBalance.merge(account, -amount, Long::sum);
        return s;
    }

    /** Step 2: reads in separate requests, each on a replica, spread by round-robin. */
    private boolean reads() {
        try (Console.Progress p = Console.progress("waiting until the replicas replayed the writes")) {
            awaitCaughtUp();
        }
        Map<String, Integer> perNode = new TreeMap<>();
        boolean ok = true;
        for (int i = 0; i < 8; i++) {
            long acc = accounts.get(i % accounts.size());
            Served<Long> s = inRequest(() -> bank.balance(acc));
            perNode.merge(s.node(), 1, Integer::sum);
            boolean right = s.value().equals(expectedBalance.get(acc));
            Console.line("    @ReadReplica balance(%-5s) = %5.2f  on %s [%s]%s", OWNERS[i % OWNERS.length], s.value() / 100.0,
                    s.where(), s.reason(), right ? "" : "  WRONG, expected " + expectedBalance.get(acc));
            ok &= check(isReplica(s), "read ran on " + s.where() + ", expected a replica");
            ok &= check(right, "balance of account " + acc);
        }
        Console.line("    reads per node: %s", perNode);
        for (String r : replicaNames) {
            ok &= check(perNode.getOrDefault(r, 0) > 0, "replica " + r + " served no read");
        }
        return ok;
    }

    /** Step 3: pause replay on one replica; the monitor excludes it (lag), then readmits it after resume. */
    private boolean lagExclusion() {
        String victim = replicaNames.get(0);
        PgNode node = cluster.node(victim);
        node.pauseReplay();
        long paused = System.nanoTime();
        Console.line("    %s: WAL replay paused (pg_wal_replay_pause()); the application keeps placing orders", victim);
        boolean excluded;
        try (Console.Progress p = Console.progress("waiting for the monitor to exclude " + victim)) {
            AtomicLong n = new AtomicLong();
            excluded = await(Duration.ofSeconds(20), () -> {
                order(accounts.get(0), "tick-" + n.incrementAndGet(), 1);
                return rec.firstEvent(victim, "excluded", paused) != null;
            });
            p.result(excluded ? "excluded after " + ms(rec.firstEvent(victim, "excluded", paused).nanos() - paused)
                    + " ms of paused replay" : "NOT excluded");
        }
        Console.line("    monitor: %s", lag.status().node(victim).map(NodeStatus::describe).orElse("?"));
        Map<String, Integer> during = readBurst(8);
        Console.line("    8 reads while %s is excluded: %s", victim, during);
        boolean ok = check(excluded, victim + " was not excluded within 20 s");
        ok &= check(during.getOrDefault(victim, 0) == 0, victim + " served reads while excluded");
        ok &= check(during.getOrDefault(primaryName, 0) == 0, "reads fell back to the primary though a replica was usable");

        node.resumeReplay();
        long resumed = System.nanoTime();
        Console.line("    %s: WAL replay resumed", victim);
        boolean readmitted;
        try (Console.Progress p = Console.progress("waiting for the monitor to readmit " + victim + " ("
                + System.getProperty("replication.readmit-after") + " good checks in a row)")) {
            readmitted = await(Duration.ofSeconds(20), () -> rec.firstEvent(victim, "readmitted", resumed) != null);
            p.result(readmitted ? "readmitted " + ms(rec.firstEvent(victim, "readmitted", resumed).nanos() - resumed)
                    + " ms after resume" : "NOT readmitted");
        }
        Map<String, Integer> after = readBurst(8);
        Console.line("    8 reads after readmission: %s", after);
        ok &= check(readmitted, victim + " was not readmitted within 20 s");
        ok &= check(after.getOrDefault(victim, 0) > 0, victim + " served no read after readmission");
        return ok;
    }

    /** {@code n} balance reads, each in its own request; reads per node (by the server's own answer). */
    private Map<String, Integer> readBurst(int n) {
        Map<String, Integer> perNode = new TreeMap<>();
        for (int i = 0; i < n; i++) {
            long acc = accounts.get(i % accounts.size());
            Served<Long> s = inRequest(() -> bank.balance(acc));
            perNode.merge(s.node() + (isReplica(s) ? "" : isPrimary(s) ? "(primary)" : "(?)"), 1, Integer::sum);
        }
        return perNode;
    }

    /** Step 4: write then read in one request with replicas applying WAL late; the read sees the write. */
    private boolean readYourWrites() {
        if (cluster != null) {
            try (Console.Progress p = Console.progress("setting recovery_min_apply_delay = " + APPLY_DELAY.toMillis()
                    + "ms on every replica")) {
                cluster.replicas().forEach(r -> r.setApplyDelay(APPLY_DELAY));
            }
        } else {
            Console.line("    (existing cluster: no apply delay injected; the check still runs)");
        }
        boolean ok = true;
        try {
            long acc = accounts.get(1);
            // control: a different request has no token, so a replica may serve it the old state
            long other = inRequest(() -> bank.placeOrder(acc, "control", 5)).value();
            expectedBalance.merge(acc, -5L, Long::sum);
            Served<List<Long>> control = inRequest(() -> bank.orderIds(acc));
            Console.line("    control: order %d written in request A; request B (no token) reads on %s: %s", other,
                    control.where(), control.value().contains(other) ? "sees it too (no token wait recorded)"
                            : "does NOT see it yet (stale, as expected without the token)");
            for (int i = 0; i < 4; i++) {
                String item = ITEMS[i];
                Object[] r = inRequest(() -> {
                    Served<Long> w = bank.placeOrder(acc, item, 10);
                    String token = weld.select(RequestConsistency.class).get().token().orElse("none");
                    rec.lastTokenWait.remove();
                    Served<List<Long>> read = bank.orderIds(acc);
                    return new Object[] {w, token, read, rec.lastTokenWait.get()};
                });
                expectedBalance.merge(acc, -10L, Long::sum);
                @SuppressWarnings("unchecked")
                Served<Long> w = (Served<Long>) r[0];
                @SuppressWarnings("unchecked")
                Served<List<Long>> read = (Served<List<Long>>) r[2];
                Duration waited = (Duration) r[3];
                boolean sees = read.value().contains(w.value());
                String how = read.reason() == RoutingReason.TOKEN_WAITED || isReplica(read)
                        ? "a replica that had replayed the token" + (waited != null ? " (waited " + waited.toMillis() + " ms)" : "")
                        : "the primary (" + read.reason() + (waited != null ? " after " + waited.toMillis() + " ms" : "") + ")";
                Console.line("    request %d: order %d written on %s, token %s; read on %s [%s]: %s", i + 1, w.value(),
                        w.node(), r[1], read.where(), how, sees ? "sees its own write" : "DOES NOT see its own write");
                ok &= check(isPrimary(w), "write not on the primary");
                ok &= check(sees, "request " + (i + 1) + " did not see its own write");
                ok &= check(!"none".equals(r[1]), "the write produced no token");
            }
        } finally {
            if (cluster != null) {
                try (Console.Progress p = Console.progress("removing the apply delay and letting replicas catch up")) {
                    cluster.replicas().forEach(r -> r.setApplyDelay(Duration.ZERO));
                    awaitCaughtUp();
                }
            }
        }
        return ok;
    }

    /** Step 5: SIGKILL a replica while 6 threads read; every read must succeed (retry on another node). */
    private boolean replicaKill() throws InterruptedException {
        String victim = replicaNames.get(1);
        PgNode node = cluster.node(victim);
        AtomicBoolean stop = new AtomicBoolean();
        AtomicLong killAt = new AtomicLong(Long.MAX_VALUE);
        LongAdder failed = new LongAdder();
        Map<String, LongAdder> before = new ConcurrentHashMap<>();
        Map<String, LongAdder> after = new ConcurrentHashMap<>();
        List<String> errors = java.util.Collections.synchronizedList(new ArrayList<>());
        long retriesBefore = rec.retries.sum();
        List<Thread> threads = new ArrayList<>();
        for (int t = 0; t < 6; t++) {
            Thread th = new Thread(() -> {
                while (!stop.get()) {
                    long acc = accounts.get(ThreadLocalRandom.current().nextInt(accounts.size()));
                    long start = System.nanoTime();
                    try {
                        Served<Long> s = inRequest(() -> bank.balance(acc));
                        String where = isReplica(s) ? s.node() : s.node() + "(primary)";
                        (start < killAt.get() ? before : after).computeIfAbsent(where, k -> new LongAdder()).increment();
                    } catch (RuntimeException e) {
                        failed.increment();
                        if (errors.size() < 3) {
                            errors.add(e.toString());
                        }
                    }
                }
            }, "demo-reader-" + t);
            threads.add(th);
            th.start();
        }
        Thread.sleep(1000); // let the load run on both replicas
        long kill = System.nanoTime();
        killAt.set(kill);
        node.kill();
        Console.line("    %s SIGKILLed (postmaster and children) after 1 s of load; the load goes on for 2 s", victim);
        Thread.sleep(2000);
        stop.set(true);
        for (Thread th : threads) {
            th.join(10_000);
        }
        Map<String, Long> b = sums(before);
        Map<String, Long> a = sums(after);
        failedReadsUnderKill = failed.sum();
        readsUnderKill = b.values().stream().mapToLong(Long::longValue).sum() + a.values().stream().mapToLong(Long::longValue).sum();
        Recorder.Event down = rec.firstEvent(victim, "down", kill);
        Console.line("    reads before the kill: %s", b);
        Console.line("    reads after the kill:  %s", a);
        Console.line("    failed reads: %d of %d; reads retried on another node: %d; monitor marked %s down %s",
                failedReadsUnderKill, readsUnderKill + failedReadsUnderKill, rec.retries.sum() - retriesBefore, victim,
                down == null ? "(not yet)" : ms(down.nanos() - kill) + " ms after the kill");
        errors.forEach(e -> Console.line("    error: %s", e));
        boolean ok = check(failedReadsUnderKill == 0, failedReadsUnderKill + " reads failed");
        ok &= check(a.values().stream().mapToLong(Long::longValue).sum() > 0, "no read succeeded after the kill");

        // bring it back, so that the failover step has two standbys to choose from
        long restart = System.nanoTime();
        try (Console.Progress p = Console.progress("restarting " + victim + " (crash recovery, then streaming) and waiting for readmission")) {
            node.start();
            boolean back = await(Duration.ofSeconds(20), () -> rec.firstEvent(victim, "readmitted", restart) != null
                    || lag.status().node(victim).map(NodeStatus::usable).orElse(false));
            p.result(back ? victim + " serving reads again" : victim + " not readmitted yet (the demo goes on)");
        }
        return ok;
    }

    /** Step 6: SIGKILL the primary in promote mode; measure kill -> first successful write. */
    private boolean primaryKill() {
        PgNode old = cluster.primary();
        long acc = accounts.get(2);
        for (int i = 0; i < 5; i++) {
            order(acc, "before-failover", 1);
        }
        try (Console.Progress p = Console.progress("letting the standbys catch up before the kill")) {
            awaitCaughtUp();
        }
        long kill = System.nanoTime();
        old.kill();
        Console.line("    %s (primary) SIGKILLed; the application keeps trying to place orders", old.name());
        long attempts = 0;
        long firstOk = -1;
        Served<Long> landed = null;
        java.util.Set<String> errors = new java.util.LinkedHashSet<>();
        try (Console.Progress p = Console.progress("writes failing until a standby is promoted")) {
            long deadline = kill + Duration.ofSeconds(30).toNanos();
            while (System.nanoTime() < deadline) {
                attempts++;
                try {
                    landed = order(acc, "after-failover", 1);
                    firstOk = System.nanoTime();
                    break;
                } catch (RuntimeException e) {
                    if (errors.size() < 4) {
                        errors.add(firstLine(e));
                    }
                    sleep(50);
                }
            }
            p.result(firstOk > 0 ? "a write succeeded " + ms(firstOk - kill) + " ms after the kill" : "no write within 30 s");
        }
        errors.forEach(e -> Console.line("    failed attempt: %s", e));
        boolean ok = check(firstOk > 0, "no write succeeded within 30 s of the kill");
        if (landed != null) {
            failoverMillis = ms(firstOk - kill);
            promoted = landed.node();
            Console.line("    %d attempts; first successful write: order %d on %s", attempts, landed.value(), landed.where());
            ok &= check(!landed.node().equals(old.name()) && !landed.inRecovery(), "the write did not land on a promoted node");
        }
        String[] change = rec.primaryChanges.isEmpty() ? null : rec.primaryChanges.get(0);
        ok &= check(change != null && "true".equals(change[2]), "no primaryChanged(promotedByUs) event");
        if (change != null) {
            Console.line("    RoutingListener.primaryChanged(%s -> %s) %d ms after the kill", change[0], change[1],
                    ms(rec.primaryChangedNanos - kill));
        }
        for (int i = 0; i < 3 && ok; i++) {
            Served<Long> s = order(acc, "after-failover", 1);
            ok &= check(isPrimary(s), "write after failover not on the new primary");
        }
        if (promoted != null) {
            String np = promoted;
            await(Duration.ofSeconds(5), () -> lag.status().node(np).map(NodeStatus::up).orElse(false));
        }
        Served<Long> read = inRequest(() -> bank.orderCount());
        Console.line("    a read after failover: %d orders, on %s [%s]", read.value(), read.where(), read.reason());
        Console.line("    cluster now: %s", lag.status().describe().trim().replace("\n", "\n                 "));
        return ok;
    }

    // ------------------------------------------------------------------ summary

    private void summary() {
        Console.line("");
        Console.line("== Summary");
        Map<String, NodeStatus> status = new LinkedHashMap<>();
        lag.status().nodes().forEach(n -> status.put(n.name(), n));
        Console.line("    | node   | role now                 | reads routed | writes routed |");
        Console.line("    |--------|--------------------------|--------------|---------------|");
        List<String> nodes = new ArrayList<>(status.keySet());
        for (String n : nodes) {
            NodeStatus s = status.get(n);
            String role = (s.configuredRole() == NodeRole.PRIMARY ? "primary" : s.configuredRole().toString().toLowerCase(Locale.ROOT))
                    + (s.up() ? ", up" : ", down");
            Console.line("    | %-6s | %-24s | %12d | %13d |", n, role, rec.reads(n), rec.writes(n));
        }
        long tw = rec.tokenWaits.sum();
        Console.line("    | reads that fell back to the primary (no qualifying replica) | %d |", rec.fallbacks.sum());
        Console.line("    | token waits (satisfied / total, longest)                     | %d / %d, %d ms |",
                rec.tokenWaitsSatisfied.sum(), tw, rec.maxTokenWaitMicros.get() / 1000);
        Console.line("    | reads retried on another node after a connection failure    | %d |", rec.retries.sum());
        Console.line("    | failed reads while a replica was killed                      | %s |",
                failedReadsUnderKill < 0 ? "-" : failedReadsUnderKill + " of " + (readsUnderKill + failedReadsUnderKill));
        Console.line("    | failover: primary SIGKILL -> first successful write          | %s |",
                failoverMillis < 0 ? "-" : failoverMillis + " ms (promoted " + promoted + ")");
        Console.line("");
        for (String[] r : results) {
            Console.line("    %-7s %s", r[1], r[0]);
        }
    }

    // ------------------------------------------------------------------ helpers

    private <T> T inRequest(Supplier<T> work) {
        RequestContextController rc = weld.select(RequestContextController.class).get();
        rc.activate();
        try {
            return work.get();
        } finally {
            rc.deactivate();
        }
    }

    private boolean isPrimary(Served<?> s) {
        return !s.inRecovery() && portMatches(s);
    }

    private boolean isReplica(Served<?> s) {
        return s.inRecovery() && replicaNames.contains(s.node()) && portMatches(s);
    }

    /** On the embedded cluster: the node the library chose is the server that answered. */
    private boolean portMatches(Served<?> s) {
        if (cluster == null) {
            return true;
        }
        return cluster.nodes().stream().anyMatch(n -> n.name().equals(s.node()) && n.port() == s.port());
    }

    private void awaitCaughtUp() {
        if (cluster != null) {
            cluster.awaitReplicated(Duration.ofSeconds(30));
        } else {
            await(Duration.ofSeconds(10), () -> {
                lag.checkNow();
                return replicaNames.stream().allMatch(r -> lag.lagBytes(r).orElse(-1) == 0);
            });
        }
    }

    private static boolean check(boolean condition, String failure) {
        if (!condition) {
            Console.line("    CHECK FAILED: %s", failure);
        }
        return condition;
    }

    /** Polls {@code condition} every 50 ms until true or the deadline; true when it became true. */
    private static boolean await(Duration timeout, BooleanSupplier condition) {
        long deadline = System.nanoTime() + timeout.toNanos();
        while (true) {
            if (condition.getAsBoolean()) {
                return true;
            }
            if (System.nanoTime() > deadline) {
                return false;
            }
            sleep(50);
        }
    }

    private static void sleep(long millis) {
        try {
            Thread.sleep(millis);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted", e);
        }
    }

    private static long ms(long nanos) {
        return nanos / 1_000_000;
    }

    private static Map<String, Long> sums(Map<String, LongAdder> m) {
        Map<String, Long> out = new TreeMap<>();
        m.forEach((k, v) -> out.put(k, v.sum()));
        return out;
    }

    private static String firstLine(Throwable e) {
        String s = e.getClass().getSimpleName() + ": " + e.getMessage();
        int nl = s.indexOf('\n');
        s = nl < 0 ? s : s.substring(0, nl);
        return s.length() > 200 ? s.substring(0, 197) + "..." : s;
    }
}
