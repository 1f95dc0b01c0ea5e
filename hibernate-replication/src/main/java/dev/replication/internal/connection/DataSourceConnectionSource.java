package dev.replication.internal.connection;

import dev.replication.NodeConfig;
import dev.replication.ReplicationConfig;

import javax.sql.DataSource;
import java.io.IOException;
import java.net.ConnectException;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.sql.Connection;
import java.sql.SQLException;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * A node served by a {@link DataSource} the application or container owns: in a Jakarta EE
 * container, one that enlists its connections in the JTA transaction of the calling thread. The
 * library does not configure or close it. It counts the connections it has handed out and not yet
 * got back (what {@code least-loaded} and the status report as active); idle and waiting counts
 * are the pool's own business and reported as 0.
 * <p>
 * Outside a JTA transaction a connection comes with auto-commit as the pool sets it; it is turned
 * off here, as the library's own pools do (enlisted connections already have it off).
 * <p>
 * A server that is gone is reported at once, not after the pool's own retries. Pools differ there:
 * Agroal retries a refused connection within its acquisition timeout and reports it after about a
 * second (or the whole timeout when other threads wait too), so each request to a killed primary
 * blocked that long, also past the switch to a promoted standby. So after the data source failed to
 * give a connection, the next requests first try a plain TCP connect to the server's address (learned
 * from the first connection's URL, and used only if that first try was accepted): when the server
 * refuses it, they fail at once with SQLSTATE 08001 and a {@link ConnectException} cause (a hard
 * failure, which has the primary checked again at once) without asking the pool. At most one such
 * connect per {@link #PROBE_SPACING_NANOS} per node; the first connection the data source gives again
 * ends it. Anything but a refusal (accepted, timed out, unresolvable) lets the request ask the pool as
 * before. Thread-safe.
 */
public final class DataSourceConnectionSource implements ConnectionSource {
    /** Minimum spacing of the TCP connects that check a failing node's server (100 ms). */
    public static final long PROBE_SPACING_NANOS = 100_000_000L;
    /** How long such a connect may take (250 ms); longer counts as "not refused", and the pool is asked. */
    public static final int PROBE_TIMEOUT_MILLIS = 250;

    private final DataSource dataSource;
    private final String name;
    private final AtomicInteger active = new AtomicInteger();
    /** Set by the first connection the data source gives: the server's address, null when it cannot be probed. */
    private volatile Server server;
    private volatile boolean serverLearned;
    /** The data source's last getConnection failed; the next success clears it. */
    private volatile boolean failing;
    private volatile Probe lastProbe;
    private final AtomicBoolean probing = new AtomicBoolean();

    /**
     * @param name how the data source was given (a JNDI name), for {@link #toString()}
     */
    public DataSourceConnectionSource(DataSource dataSource, String name) {
        this.dataSource = dataSource;
        this.name = name;
    }

    @Override
    public Connection getConnection() throws SQLException {
        Connection c = openDirect();
        try {
            if (c.getAutoCommit()) {
                c.setAutoCommit(false);
            }
        } catch (SQLException | RuntimeException e) {
            c.close();
            throw e;
        }
        active.incrementAndGet();
        return new Counted(c);
    }

    /**
     * A connection from the data source, not counted as lent (the monitor's checks; requests through
     * {@link #getConnection()}). Once the
     * data source failed, a server that refuses a TCP connect fails the check at once with a
     * {@link ConnectException} cause (a hard failure, which the monitor re-checks quickly) instead of
     * waiting out the pool's acquisition timeout, which would read as a hung server.
     */
    public Connection openDirect() throws SQLException {
        if (failing) {
            refuseIfTheServerRefuses();
        }
        Connection c;
        try {
            c = dataSource.getConnection();
        } catch (SQLException | RuntimeException e) {
            failing = true;
            throw e;
        }
        failing = false;
        if (!serverLearned) {
            learnServer(c);
        }
        return c;
    }

    /** Fails now when the server's address refuses a TCP connect (probed at most once per spacing). */
    private void refuseIfTheServerRefuses() throws SQLException {
        Server target = server;
        if (target == null) {
            return;
        }
        Probe p = lastProbe;
        if ((p == null || System.nanoTime() - p.at() >= PROBE_SPACING_NANOS) && probing.compareAndSet(false, true)) {
            try {
                p = new Probe(System.nanoTime(), target.refusal());
                lastProbe = p;
            } finally {
                probing.set(false);
            }
        }
        if (p != null && p.refusal() != null) {
            throw new SQLException(name + ": the server " + target + " refuses connections (" + p.refusal()
                    + "); checked directly after the data source failed to give one, so the pool was not asked",
                    "08001", new ConnectException(p.refusal()));
        }
    }

    /** Learns the server's address from the first connection's URL; keeps it only if a TCP connect to it is accepted now. */
    private synchronized void learnServer(Connection c) {
        if (serverLearned) {
            return;
        }
        try {
            Server s = Server.of(c.getMetaData().getURL());
            server = s != null && s.accepts() ? s : null;
        } catch (SQLException | RuntimeException e) {
            server = null;
        } finally {
            serverLearned = true;
        }
    }

    @Override
    public PoolCounts counts() {
        return new PoolCounts(Math.max(0, active.get()), 0, 0);
    }

    @Override
    public void evictIdle() {
        // the owner's pool validates its own connections
    }

    @Override
    public void close() {
        // owned by the application or container
    }

    /** The source of {@code node}: its data source when it has one, else a HikariCP pool from its URL. */
    public static ConnectionSource forNode(NodeConfig node, ReplicationConfig rc) {
        return node.dataSource() != null ? new DataSourceConnectionSource(node.dataSource(), node.dataSourceName())
                : new HikariConnectionSource(node, rc);
    }

    @Override
    public String toString() {
        return "datasource " + name;
    }

    /** One TCP connect to the server: the refusal's message, or null when it was not refused. */
    private record Probe(long at, String refusal) {
    }

    /** A PostgreSQL server's host and explicit port, from a single-host {@code jdbc:postgresql://} URL. */
    record Server(String host, int port) {

        /** The server a URL names, or null when it names several, no port, or may not use TCP. */
        static Server of(String url) {
            String prefix = "jdbc:postgresql://";
            if (url == null || !url.startsWith(prefix)) {
                return null;
            }
            String rest = url.substring(prefix.length());
            int query = rest.indexOf('?');
            if (query >= 0 && rest.indexOf("socketFactory", query) >= 0) {
                return null;
            }
            int end = rest.length();
            for (char stop : new char[] {'/', '?'}) {
                int i = rest.indexOf(stop);
                if (i >= 0 && i < end) {
                    end = i;
                }
            }
            String hostPort = rest.substring(0, end);
            int colon = hostPort.lastIndexOf(':');
            if (hostPort.contains(",") || colon <= 0 || hostPort.lastIndexOf(']') > colon) {
                return null;
            }
            String host = hostPort.substring(0, colon);
            if (host.startsWith("[") && host.endsWith("]")) {
                host = host.substring(1, host.length() - 1);
            }
            try {
                int port = Integer.parseInt(hostPort.substring(colon + 1));
                return port > 0 && port < 65536 ? new Server(host, port) : null;
            } catch (NumberFormatException e) {
                return null;
            }
        }

        /** Tries a TCP connect (resolving the host now): the refusal's message, or null when not refused. */
        String refusal() {
            try (Socket s = new Socket()) {
                s.connect(new InetSocketAddress(host, port), PROBE_TIMEOUT_MILLIS);
                return null;
            } catch (ConnectException e) {
                return e.getMessage() == null ? "Connection refused" : e.getMessage();
            } catch (IOException | RuntimeException e) {
                return null;
            }
        }

        /** Whether a TCP connect is accepted (not merely not refused). */
        boolean accepts() {
            try (Socket s = new Socket()) {
                s.connect(new InetSocketAddress(host, port), PROBE_TIMEOUT_MILLIS);
                return true;
            } catch (IOException | RuntimeException e) {
                return false;
            }
        }

        @Override
        public String toString() {
            return (host.indexOf(':') >= 0 ? "[" + host + "]" : host) + ":" + port;
        }
    }

    /** Gives its count back once, however often it is closed. */
    private final class Counted extends DelegatingConnection {
        private boolean closed;

        Counted(Connection delegate) {
            super(delegate);
        }

        @Override
        public void commit() throws SQLException {
            delegate.commit();
        }

        @Override
        public void close() throws SQLException {
            if (!closed) {
                closed = true;
                active.decrementAndGet();
            }
            delegate.close();
        }

        @Override
        public boolean isClosed() throws SQLException {
            return closed || delegate.isClosed();
        }
    }
}
