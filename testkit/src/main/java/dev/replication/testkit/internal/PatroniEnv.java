package dev.replication.testkit.internal;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Optional;
import java.util.stream.Stream;

/**
 * What a Patroni cluster needs from the machine: {@code patroni} and {@code etcd} on the PATH, a
 * Python that can import a PostgreSQL driver for Patroni, and a PostgreSQL bin directory with every
 * tool Patroni calls ({@link #PG_TOOLS}). The zonky binaries the plain clusters use hold only
 * initdb, pg_ctl and postgres, so an installed PostgreSQL is required: {@code testkit.pg.bin} /
 * {@code PG_BIN}, else the newest {@code /usr/lib/postgresql/<major>/bin} that holds them all.
 * The check runs once per JVM.
 */
public final class PatroniEnv {
    /** The PostgreSQL programs Patroni runs (bootstrap, replica creation, rewind, status). */
    public static final List<String> PG_TOOLS = List.of("initdb", "pg_ctl", "pg_controldata", "pg_basebackup",
            "pg_rewind", "postgres");
    /** How to install what is missing, on Debian/Ubuntu. */
    public static final String INSTALL_HINT = "apt-get install -y patroni etcd-server etcd-client python3-psycopg2 postgresql";

    private static volatile Found found;

    /**
     * What was found.
     *
     * @param patroni the patroni executable, or null
     * @param etcd the etcd executable, or null
     * @param pgBin the PostgreSQL bin directory, or null
     * @param problem why a Patroni cluster cannot run here, or null when everything is present
     */
    public record Found(Path patroni, Path etcd, Path pgBin, String problem) {
        /** @return whether everything is present */
        public boolean present() {
            return problem == null;
        }
    }

    private PatroniEnv() {
    }

    /** @return the result of the (cached) check */
    public static Found get() {
        Found f = found;
        if (f == null) {
            synchronized (PatroniEnv.class) {
                f = found;
                if (f == null) {
                    f = detect(System.getenv("PATH"));
                    found = f;
                }
            }
        }
        return f;
    }

    /**
     * Runs the check without caching it.
     *
     * @param path a PATH value to search for patroni and etcd (may be null)
     * @return what was found
     */
    public static Found detect(String path) {
        Path patroni = onPath("patroni", path).orElse(null);
        Path etcd = onPath("etcd", path).orElse(null);
        List<String> problems = new ArrayList<>();
        if (patroni == null) {
            problems.add("patroni not found on PATH");
        }
        if (etcd == null) {
            problems.add("etcd not found on PATH");
        }
        Path pgBin = pgBin(problems);
        if (patroni != null) {
            String driver = pythonDriverProblem(patroni);
            if (driver != null) {
                problems.add(driver);
            }
        }
        String problem = problems.isEmpty() ? null : String.join("; ", problems) + ": " + INSTALL_HINT;
        return new Found(patroni, etcd, pgBin, problem);
    }

    private static Path pgBin(List<String> problems) {
        String configured = System.getProperty("testkit.pg.bin");
        if (configured == null || configured.isBlank()) {
            configured = System.getenv("PG_BIN");
        }
        if (configured != null && !configured.isBlank()) {
            Path dir = Path.of(configured.trim()).toAbsolutePath().normalize();
            List<String> missing = missingTools(dir);
            if (!missing.isEmpty()) {
                problems.add("PostgreSQL bin dir " + dir + " (testkit.pg.bin / PG_BIN) lacks " + missing);
                return null;
            }
            return dir;
        }
        Path root = Path.of("/usr/lib/postgresql");
        if (Files.isDirectory(root)) {
            try (Stream<Path> s = Files.list(root)) {
                Optional<Path> best = s.filter(p -> p.getFileName().toString().matches("\\d+(\\.\\d+)?"))
                        .map(p -> p.resolve("bin")).filter(p -> missingTools(p).isEmpty())
                        .max(Comparator.comparingDouble(p -> Double.parseDouble(p.getParent().getFileName().toString())));
                if (best.isPresent()) {
                    return best.get();
                }
            } catch (IOException e) {
                // reported below
            }
        }
        problems.add("no PostgreSQL server binaries with " + PG_TOOLS + " in /usr/lib/postgresql/<major>/bin "
                + "(the testkit's zonky binaries lack pg_controldata, pg_basebackup and pg_rewind; set -Dtestkit.pg.bin)");
        return null;
    }

    private static List<String> missingTools(Path dir) {
        return PG_TOOLS.stream().filter(t -> !Files.isExecutable(dir.resolve(t))).toList();
    }

    /** Patroni needs psycopg2 or psycopg 3 in the Python its script runs with. */
    private static String pythonDriverProblem(Path patroni) {
        String python = "python3";
        try {
            String first = Files.readAllLines(patroni).stream().findFirst().orElse("");
            if (first.startsWith("#!")) {
                String[] parts = first.substring(2).trim().split("\\s+");
                python = parts[0].endsWith("/env") && parts.length > 1 ? parts[1] : parts[0];
            }
        } catch (IOException | RuntimeException e) {
            // not a script: let Patroni itself report a missing driver at start
            return null;
        }
        Exec.Result r = Exec.run(List.of(python, "-c",
                "try:\n import psycopg2\nexcept ImportError:\n import psycopg"), null, null);
        return r.ok() ? null : python + " (Patroni's interpreter) cannot import psycopg2 or psycopg";
    }

    /**
     * @param name a program name
     * @param path a PATH value (may be null)
     * @return its first executable location on that PATH
     */
    public static Optional<Path> onPath(String name, String path) {
        if (path == null) {
            return Optional.empty();
        }
        for (String dir : path.split(":")) {
            if (dir.isEmpty()) {
                continue;
            }
            Path p = Path.of(dir, name);
            if (Files.isRegularFile(p) && Files.isExecutable(p)) {
                return Optional.of(p);
            }
        }
        return Optional.empty();
    }
}
