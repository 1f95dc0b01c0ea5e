package dev.replication.bench;

import dev.replication.testkit.PgCluster;

import java.net.URISyntaxException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.logging.Level;
import java.util.logging.Logger;

import static dev.replication.bench.BenchContext.progress;
import static dev.replication.bench.Report.fmt;

/**
 * Runs the benchmarks in one JVM against one testkit cluster (primary + 2 replicas) and writes
 * {@code results.json} plus a Markdown table.
 * <p>
 * System properties: {@code bench.only} (comma-separated benchmark numbers, default
 * {@code 1,2,3,4,5,6,7,8}; 4 is both token-cost parts, resource-local and JTA; 8 the peers), {@code bench.kills} (primary kills of benchmark 6, default 3),
 * {@code bench.cycles} (read-your-writes cycles per variant, default 2000),
 * {@code bench.reps} (repetitions of the throughput benchmarks, default 15 for routing and 5 for
 * capacity), {@code bench.out} (results file, default {@code target/results.json} next to the jar).
 */
public final class Benchmarks {

    /** A benchmark and the number {@code bench.only} selects it by. */
    private record Selectable(String number, Benchmark benchmark) {
    }

    /**
     * In run order; the fault benchmarks come last because they change the cluster (4 and 5 have two parts; 6 and 7
     * heal the cluster after their kills, 5's primary kill does not, so it runs last).
     */
    private static final List<Selectable> ALL = List.of(
            new Selectable("1", new RoutingOverheadBenchmark()),
            new Selectable("2", new ReadCapacityBenchmark()),
            new Selectable("3", new ReadYourWritesBenchmark()),
            new Selectable("4", new TokenCostBenchmark()),
            new Selectable("4", new JtaTokenCostBenchmark()),
            new Selectable("5", new ReplicaKillBenchmark()),
            new Selectable("6", new TwoInstanceBenchmark()),
            new Selectable("7", new LostWritesBenchmark()),
            new Selectable("8", new PeersBenchmark()),
            new Selectable("5", new PrimaryKillBenchmark()));

    /** Held so that the settings are not garbage-collected with the loggers. */
    private static final List<Logger> QUIET = List.of(
            Logger.getLogger("org.hibernate"), Logger.getLogger("com.zaxxer.hikari"), Logger.getLogger("org.postgresql"),
            Logger.getLogger("com.arjuna"), Logger.getLogger("io.agroal"));

    private Benchmarks() {
    }

    public static void main(String[] args) throws Exception {
        System.setProperty("org.jboss.logging.provider", "jdk");
        QUIET.forEach(l -> l.setLevel(Level.OFF));
        long t0 = System.nanoTime();
        Report report = new Report();
        int exit = 0;
        progress("starting a testkit cluster (primary + 2 replicas)...");
        try (PgCluster cluster = PgCluster.builder().replicas(2).maxConnections(200).start()) {
            progress("cluster up in " + fmt(Stats.ms(System.nanoTime() - t0) / 1000, 1) + " s: " + cluster);
            BenchContext ctx = new BenchContext(cluster, report);
            try {
                Map<String, Object> machine = Machine.facts(cluster);
                report.root().put("machine", machine);
                progress(Machine.line(machine));
                ctx.seed();
                // -Dbench.only=1,4 runs a subset (for profiling); the report says which ran
                Set<String> only = Set.copyOf(Arrays.asList(System.getProperty("bench.only", "1,2,3,4,5,6,7,8").split(",")));
                for (Selectable b : ALL) {
                    if (only.contains(b.number())) {
                        b.benchmark().run(ctx);
                        ctx.closeAll();
                    }
                }
            } catch (Exception | Error e) {
                exit = 1;
                report.root().put("error", e.toString());
                System.err.println("benchmark failed: " + e);
                e.printStackTrace();
            } finally {
                ctx.closeAll();
            }
        }
        double wall = Stats.ms(System.nanoTime() - t0) / 1000;
        @SuppressWarnings("unchecked")
        Map<String, Object> machine = (Map<String, Object>) report.root().get("machine");
        if (machine != null) {
            machine.put("totalWallSeconds", Math.round(wall * 10) / 10.0);
            machine.put("loadAverageAtEnd", Machine.loadAverage());
        }
        Path out = outputFile();
        Files.createDirectories(out.toAbsolutePath().getParent());
        Files.writeString(out, report.json(), StandardCharsets.UTF_8);

        StringBuilder sb = new StringBuilder("\n## Benchmark results\n\n");
        if (machine != null) {
            sb.append(Machine.line(machine)).append("\n\n");
        }
        sb.append(report.markdown());
        sb.append("\nTotal wall time ").append(fmt(wall, 1)).append(" s. Raw data: ").append(out).append('\n');
        System.out.println(sb);
        System.exit(exit);
    }

    private static Path outputFile() {
        String p = System.getProperty("bench.out");
        return p != null ? Path.of(p) : targetDir().resolve("results.json");
    }

    /** The module's {@code target/} directory (where the jar or the classes are). */
    static Path targetDir() {
        try {
            Path code = Path.of(Benchmarks.class.getProtectionDomain().getCodeSource().getLocation().toURI());
            // benchmarks/target/benchmarks.jar or benchmarks/target/classes: both live in target/
            return code.getParent();
        } catch (URISyntaxException e) {
            throw new IllegalStateException(e);
        }
    }
}
