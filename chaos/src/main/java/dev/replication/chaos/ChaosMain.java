package dev.replication.chaos;

import java.nio.file.Path;
import java.util.List;
import java.util.Locale;
import java.util.logging.Level;
import java.util.logging.Logger;

/**
 * The chaos run from the command line: {@code java -jar chaos/target/chaos.jar}. System properties:
 * {@code chaos.seed} (replays a run; random and printed when unset), {@code chaos.seconds} (default
 * 300), {@code chaos.out} (report directory, default the jar's {@code target}), {@code chaos.writers},
 * {@code chaos.readers}. Exits with status 1 when the checker found a violation.
 */
public final class ChaosMain {

    /** Held so that the settings are not garbage-collected with the loggers. */
    private static final List<Logger> QUIET = List.of(
            Logger.getLogger("org.hibernate"), Logger.getLogger("com.zaxxer.hikari"), Logger.getLogger("org.postgresql"));

    private ChaosMain() {
    }

    public static void main(String[] args) throws Exception {
        Checker.Verdict v = run(ChaosOptions.fromSystemProperties(300));
        System.exit(v.total() == 0 ? 0 : 1);
    }

    /** Runs, checks and reports; returns the checker's verdict. */
    static Checker.Verdict run(ChaosOptions options) throws Exception {
        System.setProperty("org.jboss.logging.provider", "jdk");
        QUIET.forEach(l -> l.setLevel(Level.OFF));
        ChaosRun run = new ChaosRun(options);
        History h = run.run();
        Checker.Verdict v = new Checker(h, run.bounds(), options.seed(), options.synchronous()).check();
        Path json = new ChaosReport(h, options, run.bounds(), v).write(options.outDir());
        progress(h, "violations " + v.violations() + " (total " + v.total() + "), seed " + options.seed());
        v.samples().forEach((k, l) -> l.forEach(s -> System.out.println("  " + k + ": " + s)));
        progress(h, "report: " + json + " (and " + ChaosReport.MARKDOWN + ", " + ChaosReport.SVG + ", "
                + ChaosReport.HISTORY + ")");
        return v;
    }

    static void progress(History h, String s) {
        System.out.println(String.format(Locale.ROOT, "[chaos %7.1f s] ", h.sec(System.nanoTime())) + s);
    }
}
