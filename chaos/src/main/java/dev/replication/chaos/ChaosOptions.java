package dev.replication.chaos;

import java.net.URISyntaxException;
import java.nio.file.Path;
import java.util.concurrent.ThreadLocalRandom;

/**
 * What a run does.
 *
 * @param seed      seeds the fault schedule and the load's choices ({@code chaos.seed}, random when unset)
 * @param seconds   wall time of the run, warm-up and quiet phase included ({@code chaos.seconds}, default 300)
 * @param outDir    where the reports go ({@code chaos.out}, default the {@code target} directory the classes or jar are in)
 * @param writers   writer threads
 * @param readers   reader threads of each kind (token readers, plain readers)
 * @param synchronous {@code chaos.synchronous}: the cluster commits synchronously to at least one standby
 *                  ({@code synchronous_standby_names = 'ANY 1 (*)'}); then no acknowledged write may be lost at all
 */
record ChaosOptions(long seed, int seconds, Path outDir, int writers, int readers, boolean synchronous) {

    static final int MIN_SECONDS = 30;

    ChaosOptions {
        if (seconds < MIN_SECONDS) {
            throw new IllegalArgumentException("chaos.seconds must be at least " + MIN_SECONDS + ", got " + seconds);
        }
        if (writers < 1 || readers < 1) {
            throw new IllegalArgumentException("chaos.writers and chaos.readers must be at least 1, got "
                    + writers + " and " + readers);
        }
    }

    /** From the {@code chaos.*} system properties, {@code defaultSeconds} when {@code chaos.seconds} is unset. */
    static ChaosOptions fromSystemProperties(int defaultSeconds) {
        String seed = System.getProperty("chaos.seed");
        long s;
        try {
            s = seed == null || seed.isBlank() ? ThreadLocalRandom.current().nextLong(1, 1L << 48) : Long.parseLong(seed.trim());
        } catch (NumberFormatException e) {
            throw new IllegalArgumentException("chaos.seed must be an integer, got '" + seed + "'");
        }
        String out = System.getProperty("chaos.out");
        return new ChaosOptions(s, intProperty("chaos.seconds", defaultSeconds),
                out == null || out.isBlank() ? defaultOut() : Path.of(out), intProperty("chaos.writers", 3),
                intProperty("chaos.readers", 2), Boolean.getBoolean("chaos.synchronous"));
    }

    private static int intProperty(String key, int def) {
        String v = System.getProperty(key);
        if (v == null || v.isBlank()) {
            return def;
        }
        try {
            return Integer.parseInt(v.trim());
        } catch (NumberFormatException e) {
            throw new IllegalArgumentException(key + " must be an integer, got '" + v + "'");
        }
    }

    /** The {@code target} directory: the jar's directory, or the parent of {@code target/classes}. */
    private static Path defaultOut() {
        try {
            Path p = Path.of(ChaosOptions.class.getProtectionDomain().getCodeSource().getLocation().toURI());
            return p.getParent();
        } catch (URISyntaxException | RuntimeException e) {
            return Path.of("target");
        }
    }
}
