package dev.replication.jmx;

import dev.replication.ClusterStatus;
import dev.replication.NodeRole;
import dev.replication.NodeStatus;

import javax.management.InstanceAlreadyExistsException;
import javax.management.InstanceNotFoundException;
import javax.management.JMException;
import javax.management.MBeanServer;
import javax.management.MalformedObjectNameException;
import javax.management.ObjectName;
import java.lang.management.ManagementFactory;
import java.util.List;
import java.util.Objects;
import java.util.function.Supplier;

/**
 * Registers the {@link ClusterMXBean} of a cluster in the platform MBean server. The library
 * does this for every replicated persistence unit (see {@code replication.jmx.*}); applications
 * only need {@link #objectName(String)} to find it.
 */
public final class ClusterJmx {

    /** JMX domain of every MBean of this library. */
    public static final String DOMAIN = "dev.replication";

    private ClusterJmx() {
    }

    /** {@code dev.replication:type=Cluster,name=<name>} (the name quoted when it needs to be). */
    public static ObjectName objectName(String name) {
        try {
            return new ObjectName(DOMAIN + ":type=Cluster,name=" + quoteIfNeeded(name));
        } catch (MalformedObjectNameException e) {
            throw new IllegalArgumentException("Invalid JMX name '" + name + "': " + e.getMessage(), e);
        }
    }

    /**
     * The default cluster name for a primary JDBC URL: {@code host:port/database}, without
     * user-info, parameters or anything else that could carry credentials.
     */
    public static String defaultName(String jdbcUrl) {
        if (jdbcUrl == null) {
            return "cluster";
        }
        String s = jdbcUrl;
        int scheme = s.indexOf("//");
        if (scheme >= 0) {
            s = s.substring(scheme + 2);
        }
        int q = indexOfAny(s, "?;#");
        if (q >= 0) {
            s = s.substring(0, q);
        }
        int slash = s.indexOf('/');
        String authority = slash >= 0 ? s.substring(0, slash) : s;
        String path = slash >= 0 ? s.substring(slash) : "";
        int at = authority.lastIndexOf('@');
        if (at >= 0) {
            authority = authority.substring(at + 1);
        }
        String name = authority + path;
        return name.isEmpty() ? "cluster" : name;
    }

    private static int indexOfAny(String s, String chars) {
        for (int i = 0; i < s.length(); i++) {
            if (chars.indexOf(s.charAt(i)) >= 0) {
                return i;
            }
        }
        return -1;
    }

    private static String quoteIfNeeded(String value) {
        for (int i = 0; i < value.length(); i++) {
            if (",=:\"*?\\\n".indexOf(value.charAt(i)) >= 0) {
                return ObjectName.quote(value);
            }
        }
        return value.isEmpty() ? ObjectName.quote(value) : value;
    }

    /**
     * Registers an MXBean over {@code status} and {@code checkNow} in the platform MBean server,
     * as {@code name}, or {@code name#2}, {@code name#3}... when that name is taken (several
     * persistence units on one database).
     *
     * @throws JMException when the MBean server refuses the registration
     */
    public static Registration register(String name, Supplier<ClusterStatus> status, Runnable checkNow)
            throws JMException {
        return register(ManagementFactory.getPlatformMBeanServer(), name, status, checkNow);
    }

    static Registration register(MBeanServer server, String name, Supplier<ClusterStatus> status, Runnable checkNow)
            throws JMException {
        Cluster bean = new Cluster(Objects.requireNonNull(status, "status"), Objects.requireNonNull(checkNow, "checkNow"));
        for (int i = 1; ; i++) {
            ObjectName on = objectName(i == 1 ? name : name + "#" + i);
            try {
                server.registerMBean(bean, on);
                return new Registration(server, on);
            } catch (InstanceAlreadyExistsException e) {
                if (i >= 1000) {
                    throw e;
                }
            }
        }
    }

    /** A registered MXBean; {@link #close()} unregisters it (idempotent). */
    public static final class Registration implements AutoCloseable {
        private final MBeanServer server;
        private final ObjectName name;
        private volatile boolean closed;

        Registration(MBeanServer server, ObjectName name) {
            this.server = server;
            this.name = name;
        }

        public ObjectName objectName() {
            return name;
        }

        @Override
        public void close() {
            if (closed) {
                return;
            }
            closed = true;
            try {
                server.unregisterMBean(name);
            } catch (InstanceNotFoundException ignored) {
                // already gone
            } catch (JMException e) {
                throw new IllegalStateException("Could not unregister " + name + ": " + e.getMessage(), e);
            }
        }
    }

    /** The MXBean implementation: a thin view over status snapshots. */
    static final class Cluster implements ClusterMXBean {
        private final Supplier<ClusterStatus> status;
        private final Runnable checkNow;

        Cluster(Supplier<ClusterStatus> status, Runnable checkNow) {
            this.status = status;
            this.checkNow = checkNow;
        }

        @Override
        public String getPrimary() {
            return status.get().primary();
        }

        @Override
        public String getLastCheck() {
            var t = status.get().lastCheck();
            return t == null ? null : t.toString();
        }

        @Override
        public NodeInfo[] getNodes() {
            return status.get().nodes().stream().map(NodeInfo::of).toArray(NodeInfo[]::new);
        }

        @Override
        public String[] getNodeNames() {
            return status.get().nodes().stream().map(NodeStatus::name).toArray(String[]::new);
        }

        @Override
        public int getUpNodes() {
            return (int) status.get().nodes().stream().filter(NodeStatus::up).count();
        }

        @Override
        public int getDownNodes() {
            return (int) status.get().nodes().stream().filter(n -> !n.up()).count();
        }

        @Override
        public int getUsableReplicas() {
            ClusterStatus s = status.get();
            List<NodeStatus> nodes = s.nodes();
            return (int) nodes.stream().filter(n -> !n.name().equals(s.primary())
                    && n.configuredRole() == NodeRole.REPLICA && n.usable()).count();
        }

        @Override
        public NodeInfo node(String name) {
            return status.get().node(name).map(NodeInfo::of).orElse(null);
        }

        @Override
        public void checkNow() {
            checkNow.run();
        }

        @Override
        public String describe() {
            return status.get().describe();
        }
    }
}
