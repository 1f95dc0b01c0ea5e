package dev.replication.it.wildfly;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.replication.testkit.Await;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.net.Authenticator;
import java.net.HttpURLConnection;
import java.net.InetAddress;
import java.net.PasswordAuthentication;
import java.net.ServerSocket;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;

/**
 * One WildFly server for a test class, run the way an operator runs it, from an unpacked distribution
 * ({@code org.wildfly:wildfly-dist} or {@code wildfly-preview-dist}, unpacked by maven-dependency-plugin):
 * <ol>
 *   <li>{@link #configure}: once per unpacked distribution and configuration script, {@code bin/jboss-cli.sh} with
 *       {@code embed-server} (offline) deploys the JDBC driver as {@code postgresql.jar} and adds the data sources
 *       {@code primary}, {@code replica1}, {@code replica2} whose URLs are expressions
 *       ({@code ${it.db.primary.url}}, ...), into a template server base directory;</li>
 *   <li>{@link #start}: a fresh copy of that base directory per run, {@code bin/standalone.sh} in the background on
 *       127.0.0.1 with a free port offset and the cluster's URLs as system properties; waits (with a deadline) until
 *       the management interface reports {@code running};</li>
 *   <li>{@link #deploy} / {@link #undeploy} through the HTTP management API (HTTP Digest, a management user
 *       written into the base directory);</li>
 *   <li>{@link #close}: {@code shutdown} through the management API, then SIGTERM and at last SIGKILL to the
 *       server's process (by PID), waited for. A JVM shutdown hook does the same if the test JVM ends early.</li>
 * </ol>
 */
final class WildFlyServer implements AutoCloseable {

    static final String DB_PASSWORD = "wildfly-it-Pa55";
    private static final String MGMT_USER = "itadmin";
    private static final String MGMT_PASSWORD = "it-mgmt-Pa55";
    /** Socket bindings of the standalone.xml profile, each moved by the port offset. */
    private static final int[] BASE_PORTS = {8080, 8443, 8009, 9990, 9993, 4712, 4713};
    private static final ObjectMapper JSON = new ObjectMapper();

    private final String name;
    private final Path home;
    private final boolean preview;
    private final Path base;
    private final int offset;
    private Process process;
    private Thread hook;

    private WildFlyServer(String name, Path home, boolean preview, Path base, int offset) {
        this.name = name;
        this.home = home;
        this.preview = preview;
        this.base = base;
        this.offset = offset;
    }

    /** The configuration script run by {@code jboss-cli.sh} (offline, embedded server). */
    static String configurationScript(Path driver) {
        StringBuilder cli = new StringBuilder();
        cli.append("embed-server --server-config=standalone.xml --std-out=discard\n");
        // the driver as a deployment of its own: its driver name is the deployment's name
        cli.append("deploy ").append(driver.toAbsolutePath()).append(" --name=postgresql.jar\n");
        for (String ds : List.of("primary", "replica1", "replica2")) {
            cli.append("/subsystem=datasources/data-source=").append(ds).append(":add(")
                    .append("jndi-name=java:jboss/datasources/").append(ds)
                    .append(", driver-name=postgresql.jar")
                    .append(", connection-url=\"${it.db.").append(ds).append(".url}\"")
                    .append(", user-name=postgres, password=\"").append(DB_PASSWORD).append('"')
                    .append(", jta=true, min-pool-size=2, pool-prefill=true, max-pool-size=30, blocking-timeout-wait-millis=5000")
                    // broken connections are destroyed, not returned to the pool (a SIGKILLed node)
                    .append(", exception-sorter-class-name=org.jboss.jca.adapters.jdbc.extensions.postgres.PostgreSQLExceptionSorter")
                    // idle connections are checked in the background, not at every checkout (validate-on-match costs a
                    // round trip per transaction): right after a node dies, dead pooled connections are handed out
                    .append(", valid-connection-checker-class-name=org.jboss.jca.adapters.jdbc.extensions.postgres.PostgreSQLValidConnectionChecker")
                    .append(", validate-on-match=false, background-validation=true, background-validation-millis=10000")
                    .append(")\n");
        }
        cli.append("stop-embedded-server\n");
        return cli.toString();
    }

    /**
     * A configured server base directory (template) for {@code home}, made with {@code jboss-cli.sh} when missing or
     * made by another script.
     */
    static Path configure(String name, Path home, Path driver, Path work) throws IOException, InterruptedException {
        String script = configurationScript(driver);
        Path template = work.resolve(name + "-template");
        Path marker = template.resolve("configured-by.cli");
        if (Files.isRegularFile(marker) && Files.readString(marker).equals(script)) {
            return template;
        }
        deleteTree(template);
        copyTree(home.resolve("standalone"), template);
        Path file = work.resolve(name + "-configure.cli");
        Files.writeString(file, script);
        long t0 = System.nanoTime();
        ProcessBuilder pb = new ProcessBuilder(home.resolve("bin/jboss-cli.sh").toString(), "--file=" + file)
                .directory(work.toFile())
                .redirectErrorStream(true)
                .redirectOutput(work.resolve(name + "-configure.log").toFile());
        pb.environment().put("JAVA_HOME", System.getProperty("java.home"));
        pb.environment().put("JAVA_OPTS", "-Djboss.server.base.dir=" + template.toAbsolutePath());
        Process p = pb.start();
        if (!p.waitFor(5, TimeUnit.MINUTES)) {
            p.destroyForcibly();
            throw new IllegalStateException(name + ": jboss-cli.sh did not finish within 5 minutes");
        }
        String log = Files.readString(work.resolve(name + "-configure.log"));
        if (p.exitValue() != 0 || log.contains("\"outcome\" => \"failed\"")) {
            throw new IllegalStateException(name + ": jboss-cli.sh failed (exit " + p.exitValue() + "):\n" + log);
        }
        // the management user of the tests (HTTP Digest: hex MD5 of user:realm:password)
        Files.writeString(template.resolve("configuration/mgmt-users.properties"),
                MGMT_USER + "=" + md5(MGMT_USER + ":ManagementRealm:" + MGMT_PASSWORD) + "\n",
                java.nio.file.StandardOpenOption.APPEND);
        Files.writeString(marker, script);
        System.out.printf("[wildfly] %s configured offline with jboss-cli.sh embed-server in %d ms%n", name,
                (System.nanoTime() - t0) / 1_000_000);
        return template;
    }

    /** A server over a fresh copy of {@code template}, not started. */
    static WildFlyServer create(String name, Path home, boolean preview, Path template, Path work) throws IOException {
        Path base = work.resolve(name + "-run-" + System.currentTimeMillis());
        copyTree(template, base);
        // the offline configuration's own log and temporary files are not this run's
        deleteTree(base.resolve("log"));
        deleteTree(base.resolve("tmp"));
        return new WildFlyServer(name, home, preview, base, freeOffset());
    }

    /** Starts the server with {@code properties} as system properties; returns how long it took. */
    Duration start(Map<String, String> properties) throws IOException {
        List<String> cmd = new ArrayList<>(List.of(home.resolve("bin/standalone.sh").toString(),
                "-b", "127.0.0.1", "-bmanagement", "127.0.0.1",
                "-Djboss.server.base.dir=" + base.toAbsolutePath(),
                "-Djboss.socket.binding.port-offset=" + offset));
        if (preview) {
            // otherwise every deployment goes through the EE 8 -> 9 bytecode transformer
            cmd.add("-Dorg.wildfly.unsupported.skip.jakarta.transformer=true");
        }
        properties.forEach((k, v) -> cmd.add("-D" + k + "=" + v));
        ProcessBuilder pb = new ProcessBuilder(cmd).directory(base.toFile()).redirectErrorStream(true)
                .redirectOutput(base.resolve("console.log").toFile());
        pb.environment().put("JAVA_HOME", System.getProperty("java.home"));
        pb.environment().put("LAUNCH_JBOSS_IN_BACKGROUND", "1");
        pb.environment().put("JBOSS_PIDFILE", base.resolve("server.pid").toString());
        long t0 = System.nanoTime();
        process = pb.start();
        hook = new Thread(this::kill, "stop " + name);
        Runtime.getRuntime().addShutdownHook(hook);
        Await.until(name + " running (console: " + base.resolve("console.log") + ")", Duration.ofMinutes(3), () -> {
            if (!process.isAlive()) {
                throw new IllegalStateException(name + " exited with " + process.exitValue() + ":\n" + tail(console(), 40));
            }
            try {
                return "running".equals(op("{\"operation\":\"read-attribute\",\"name\":\"server-state\"}")
                        .path("result").asText());
            } catch (IOException e) {
                return false; // not listening yet
            }
        });
        return Duration.ofNanos(System.nanoTime() - t0);
    }

    /** Deploys {@code war} as {@code runtimeName}; returns how long the management operation took. */
    Duration deploy(Path war, String runtimeName) throws IOException {
        long t0 = System.nanoTime();
        JsonNode r = op("{\"operation\":\"add\",\"address\":[{\"deployment\":\"" + runtimeName + "\"}],"
                + "\"content\":[{\"url\":\"" + war.toAbsolutePath().toUri() + "\"}],\"enabled\":true}");
        Duration took = Duration.ofNanos(System.nanoTime() - t0);
        if (!"success".equals(r.path("outcome").asText())) {
            throw new IllegalStateException(name + ": deploying " + war.getFileName() + " failed: "
                    + r.path("failure-description"));
        }
        return took;
    }

    /** Undeploys and removes {@code runtimeName}; returns how long it took. */
    Duration undeploy(String runtimeName) throws IOException {
        long t0 = System.nanoTime();
        JsonNode r = op("{\"operation\":\"remove\",\"address\":[{\"deployment\":\"" + runtimeName + "\"}]}");
        Duration took = Duration.ofNanos(System.nanoTime() - t0);
        if (!"success".equals(r.path("outcome").asText())) {
            throw new IllegalStateException(name + ": undeploying " + runtimeName + " failed: "
                    + r.path("failure-description"));
        }
        return took;
    }

    /** Names of the server JVM's live threads starting with {@code prefix}, through the platform MBeans. */
    List<String> threads(String prefix) throws IOException {
        JsonNode r = op("{\"operation\":\"dump-all-threads\",\"address\":[{\"core-service\":\"platform-mbean\"},"
                + "{\"type\":\"threading\"}],\"locked-monitors\":false,\"locked-synchronizers\":false}");
        List<String> names = new ArrayList<>();
        for (JsonNode t : r.path("result")) {
            String n = t.path("thread-name").asText();
            if (n.startsWith(prefix)) {
                names.add(n);
            }
        }
        names.sort(null);
        return names;
    }

    /** {@code http://127.0.0.1:PORT} of the server's HTTP listener. */
    URI httpBase() {
        return URI.create("http://127.0.0.1:" + (8080 + offset));
    }

    Path serverLog() {
        return base.resolve("log/server.log");
    }

    /** Lines of server.log from line {@code from} (0-based) on. */
    List<String> logLines(int from) throws IOException {
        if (!Files.exists(serverLog())) {
            return List.of();
        }
        try (Stream<String> s = Files.lines(serverLog(), StandardCharsets.UTF_8)) {
            return s.skip(from).toList();
        }
    }

    int logLineCount() throws IOException {
        return logLines(0).size();
    }

    String name() {
        return name;
    }

    private String console() {
        try {
            return Files.readString(base.resolve("console.log"));
        } catch (IOException e) {
            return "(no console: " + e + ")";
        }
    }

    private static String tail(String s, int lines) {
        List<String> all = s.lines().toList();
        return String.join("\n", all.subList(Math.max(0, all.size() - lines), all.size()));
    }

    /** Runs a management operation (JSON over HTTP, Digest authentication). */
    JsonNode op(String json) throws IOException {
        HttpURLConnection c = (HttpURLConnection) URI.create("http://127.0.0.1:" + (9990 + offset) + "/management")
                .toURL().openConnection();
        c.setAuthenticator(new Authenticator() {
            @Override
            protected PasswordAuthentication getPasswordAuthentication() {
                return new PasswordAuthentication(MGMT_USER, MGMT_PASSWORD.toCharArray());
            }
        });
        c.setConnectTimeout(2000);
        c.setReadTimeout((int) Duration.ofMinutes(3).toMillis());
        c.setRequestMethod("POST");
        c.setDoOutput(true);
        c.setRequestProperty("Content-Type", "application/json");
        try (OutputStream out = c.getOutputStream()) {
            out.write(json.getBytes(StandardCharsets.UTF_8));
        }
        int status = c.getResponseCode();
        try (InputStream in = status >= 400 ? c.getErrorStream() : c.getInputStream()) {
            String body = in == null ? "" : new String(in.readAllBytes(), StandardCharsets.UTF_8);
            if (status == 401) {
                throw new IllegalStateException(name + ": management refused the test user (HTTP 401)");
            }
            return body.isEmpty() ? JSON.createObjectNode() : JSON.readTree(body);
        }
    }

    /** Stops the server: management shutdown, then SIGTERM, then SIGKILL, each waited for. Idempotent. */
    @Override
    public void close() {
        if (process == null) {
            return;
        }
        try {
            if (process.isAlive()) {
                try {
                    op("{\"operation\":\"shutdown\",\"timeout\":10}");
                } catch (IOException | RuntimeException e) {
                    // not answering: signals below
                }
            }
            kill();
        } finally {
            if (hook != null) {
                try {
                    Runtime.getRuntime().removeShutdownHook(hook);
                } catch (IllegalStateException shuttingDown) {
                    // the hook runs anyway
                }
            }
        }
    }

    /** SIGTERM then SIGKILL to the server JVM (by the PID it wrote) and to the launching script. */
    private void kill() {
        List<ProcessHandle> handles = new ArrayList<>();
        pid().flatMap(ProcessHandle::of).ifPresent(handles::add);
        if (process != null) {
            process.descendants().forEach(handles::add);
            handles.add(process.toHandle());
        }
        waitGone(handles, Duration.ofSeconds(30));
        handles.stream().filter(ProcessHandle::isAlive).forEach(ProcessHandle::destroy);
        waitGone(handles, Duration.ofSeconds(30));
        handles.stream().filter(ProcessHandle::isAlive).forEach(ProcessHandle::destroyForcibly);
        waitGone(handles, Duration.ofSeconds(30));
    }

    private static void waitGone(List<ProcessHandle> handles, Duration timeout) {
        long deadline = System.nanoTime() + timeout.toNanos();
        for (ProcessHandle h : handles) {
            try {
                long left = deadline - System.nanoTime();
                if (left > 0) {
                    h.onExit().get(left, TimeUnit.NANOSECONDS);
                }
            } catch (Exception e) {
                // still alive: the caller escalates
            }
        }
    }

    private Optional<Long> pid() {
        try {
            Path f = base.resolve("server.pid");
            return Files.exists(f) ? Optional.of(Long.parseLong(Files.readString(f).trim())) : Optional.empty();
        } catch (IOException | NumberFormatException e) {
            return Optional.empty();
        }
    }

    /** An offset that puts every socket binding of the profile on a free loopback port. */
    private static int freeOffset() {
        for (int attempt = 0; attempt < 200; attempt++) {
            int offset = ThreadLocalRandom.current().nextInt(100, 40000);
            boolean free = true;
            for (int p : BASE_PORTS) {
                try (ServerSocket s = new ServerSocket(p + offset, 1, InetAddress.getLoopbackAddress())) {
                    s.setReuseAddress(true);
                } catch (IOException e) {
                    free = false;
                    break;
                }
            }
            if (free) {
                return offset;
            }
        }
        throw new IllegalStateException("no free port offset found");
    }

    private static String md5(String s) {
        try {
            return HexFormat.of().formatHex(MessageDigest.getInstance("MD5").digest(s.getBytes(StandardCharsets.UTF_8)));
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }

    static void copyTree(Path from, Path to) throws IOException {
        try (Stream<Path> s = Files.walk(from)) {
            for (Path p : (Iterable<Path>) s::iterator) {
                Path target = to.resolve(from.relativize(p).toString());
                if (Files.isDirectory(p)) {
                    Files.createDirectories(target);
                } else {
                    Files.copy(p, target, StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.COPY_ATTRIBUTES);
                }
            }
        }
    }

    static void deleteTree(Path dir) throws IOException {
        if (!Files.exists(dir)) {
            return;
        }
        try (Stream<Path> s = Files.walk(dir)) {
            for (Path p : (Iterable<Path>) s.sorted(java.util.Comparator.reverseOrder())::iterator) {
                Files.deleteIfExists(p);
            }
        } catch (UncheckedIOException e) {
            throw e.getCause();
        }
    }

    @Override
    public String toString() {
        return name + "[" + base + ", offset " + offset + "]";
    }

    /** System properties naming the nodes' JDBC URLs, as the data sources' expressions expect them. */
    static Map<String, String> urls(String primary, String replica1, String replica2) {
        Map<String, String> m = new LinkedHashMap<>();
        m.put("it.db.primary.url", primary);
        m.put("it.db.replica1.url", replica1);
        m.put("it.db.replica2.url", replica2);
        return m;
    }
}
