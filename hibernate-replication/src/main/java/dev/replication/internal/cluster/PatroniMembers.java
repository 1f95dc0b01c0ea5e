package dev.replication.internal.cluster;

import dev.replication.NodeConfig;
import dev.replication.ReplicationConfig;
import dev.replication.ReplicationException;
import dev.replication.internal.Log;
import dev.replication.internal.Node;
import dev.replication.internal.connection.JdbcUrls;
import dev.replication.internal.cluster.PatroniClient.Member;
import dev.replication.internal.cluster.PatroniClient.View;
import dev.replication.internal.connection.ConnectionSource;
import dev.replication.internal.health.Observation;

import java.io.IOException;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.Executors;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.function.BiFunction;
import java.util.function.Consumer;
import java.util.regex.Pattern;

/**
 * {@code replication.topology=patroni}: the nodes are the members Patroni's REST API lists. A thread
 * of its own reads {@code /cluster} every monitor interval and hands each answer to the monitor
 * thread, where members that joined become standbys (admitted to reads after the usual good checks),
 * members that left are removed (their pools closed once their connections are back), and
 * {@code noloadbalance} tags take reads away. When Patroni is unreachable the last answer stands
 * (one warning). Patroni's leader is the only node writes may go to: {@link #leaderName()} is read by
 * the failover policy, which switches once the leader's own check says it is out of recovery.
 * <p>
 * Thread-safe: the latest answer is a volatile snapshot; topology changes happen on the monitor thread.
 */
public final class PatroniMembers implements AutoCloseable {

    /** Longest wait at startup for Patroni to name a leader (a failover may be under way). */
    public static final long STARTUP_LEADER_WAIT_MILLIS = 30_000;
    /** Longest wait for a removed member's borrowed connections to come back before its pool closes. */
    static final long DRAIN_MILLIS = 30_000;

    private static final Pattern NODE_NAME = Pattern.compile("[A-Za-z0-9_-]{1,63}");

    /** What the runtime does when members come and go (monitor thread). */
    public interface Membership {
        void added(Node n);

        void removed(Node n);
    }

    private final ReplicationConfig config;
    private final PatroniClient client;
    private final ScheduledExecutorService poller = Executors.newSingleThreadScheduledExecutor(r -> {
        Thread t = new Thread(r, "replication-patroni");
        t.setDaemon(true);
        return t;
    });
    private final Set<String> ignoredNames = new HashSet<>();
    private volatile View latest;
    private volatile boolean unreachable;
    private ClusterTopology topology;
    private Membership membership;
    private String reportedLeaderMismatch;

    private PatroniMembers(ReplicationConfig config, PatroniClient client, View first) {
        this.config = config;
        this.client = client;
        this.latest = first;
    }

    /**
     * Asks Patroni for the members, waiting up to {@link #STARTUP_LEADER_WAIT_MILLIS} until it names a leader.
     *
     * @throws ReplicationException naming every address and its answer when none answered, or when no leader was named
     */
    public static PatroniMembers connect(ReplicationConfig config) {
        return connect(config, STARTUP_LEADER_WAIT_MILLIS);
    }

    static PatroniMembers connect(ReplicationConfig config, long waitMillis) {
        PatroniClient client = new PatroniClient(config.patroniUrls(), config.connectTimeout());
        long deadline = System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(waitMillis);
        while (true) {
            String problem;
            try {
                View v = client.fetch();
                if (v.leader() != null) {
                    return new PatroniMembers(config, client, v);
                }
                problem = "Patroni names no leader (members: " + v.members().stream()
                        .map(m -> m.name() + " " + m.role() + " " + m.state()).toList() + ")";
            } catch (IOException e) {
                problem = e.getMessage();
            }
            if (System.nanoTime() > deadline) {
                throw new ReplicationException("replication.topology=patroni: " + problem + "; waited "
                        + waitMillis + " ms");
            }
            try {
                Thread.sleep(200);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new ReplicationException("interrupted while waiting for Patroni", e);
            }
        }
    }

    /** The topology of the first answer: the leader as the primary, every other member as a standby, tags applied. */
    public ClusterTopology topology(BiFunction<NodeConfig, ReplicationConfig, ConnectionSource> sources) {
        List<NodeConfig> members = initialNodes();
        ClusterTopology t = new ClusterTopology(config, sources, members.get(0), members.subList(1, members.size()));
        Map<String, Boolean> tags = new HashMap<>();
        latest.members().forEach(m -> tags.put(m.name(), m.noLoadBalance()));
        t.nodes().forEach(n -> n.noLoadBalance(tags.getOrDefault(n.name(), false)));
        t.readsChanged();
        return t;
    }

    /** The leader's node configuration, then every other usable member's. */
    List<NodeConfig> initialNodes() {
        View v = latest;
        if (!usableName(v.leader())) {
            throw new ReplicationException("replication.topology=patroni: the leader's member name '" + v.leader()
                    + "' cannot be a node name (" + nameRule() + ")");
        }
        List<NodeConfig> list = new ArrayList<>();
        for (Member m : v.members()) {
            if (m.name().equals(v.leader())) {
                list.add(0, nodeConfig(m));
            } else if (usableName(m.name())) {
                list.add(nodeConfig(m));
            } else if (ignoredNames.add(m.name())) {
                Log.LOG.patroniMemberIgnored(m.name(), nameRule());
            }
        }
        return list;
    }

    /** Starts following Patroni: polls every monitor interval and applies each answer on the monitor thread. */
    public void start(ClusterTopology topology, Membership membership, Consumer<Runnable> onMonitorThread) {
        this.topology = topology;
        this.membership = membership;
        long every = config.monitorInterval().toMillis();
        if (every <= 0) {
            return;
        }
        poller.scheduleWithFixedDelay(() -> poll(onMonitorThread), every, every, TimeUnit.MILLISECONDS);
    }

    private void poll(Consumer<Runnable> onMonitorThread) {
        try {
            View v = client.fetch();
            latest = v;
            if (unreachable) {
                unreachable = false;
                Log.LOG.patroniBack(v.from().toString());
            }
            onMonitorThread.accept(() -> apply(v));
        } catch (IOException e) {
            if (!unreachable) {
                unreachable = true;
                View last = latest;
                Log.LOG.patroniUnreachable(e.getMessage(), last.members().size(), String.valueOf(last.leader()));
            }
        } catch (RuntimeException e) {
            Log.LOG.debug("Patroni poll failed", e);
        }
    }

    /** The leader Patroni named in its latest answer, null while it names none. */
    public String leaderName() {
        return latest.leader();
    }

    /**
     * Replaces {@code primary}'s observation of this round by a failed one while Patroni (reachable)
     * names another leader, or none: no write goes to it, and the failover policy follows the leader.
     * Monitor thread.
     */
    public void vetPrimary(Node primary, Map<Node, Observation> results) {
        String reason = notLeader(primary);
        if (reason != null) {
            results.put(primary, Observation.failed(reason, false));
        }
    }

    /** Why writes must not go to {@code primary} now, or null. Logged once per distinct answer. */
    private String notLeader(Node primary) {
        String leader = unreachable ? primary.name() : latest.leader();
        String reason = leader == null ? "Patroni names no leader"
                : leader.equals(primary.name()) ? null : "Patroni names '" + leader + "' leader";
        if (reason != null && !reason.equals(reportedLeaderMismatch)) {
            Log.LOG.notPatroniLeader(primary.name(), reason);
        }
        reportedLeaderMismatch = reason;
        return reason;
    }

    /** Brings the topology in line with one answer. Monitor thread. */
    void apply(View v) {
        if (topology == null) {
            return;
        }
        Set<String> present = new HashSet<>();
        for (Member m : v.members()) {
            if (!usableName(m.name())) {
                if (ignoredNames.add(m.name())) {
                    Log.LOG.patroniMemberIgnored(m.name(), nameRule());
                }
                continue;
            }
            present.add(m.name());
            NodeConfig wanted = nodeConfig(m);
            Node n = topology.node(m.name()).orElse(null);
            if (n != null && n != topology.primary() && !wanted.url().equals(n.config().url())) {
                leave(n, "its address changed");
                n = null;
            }
            if (n == null) {
                n = topology.add(wanted);
                membership.added(n);
                Log.LOG.patroniMemberJoined(n.name(), wanted.source());
            }
            if (n.noLoadBalance(m.noLoadBalance())) {
                topology.readsChanged();
                Log.LOG.patroniNoLoadBalance(n.name(), m.noLoadBalance());
            }
        }
        for (Node n : topology.nodes()) {
            if (!present.contains(n.name()) && n != topology.primary()) {
                leave(n, "Patroni does not list it any more");
            }
        }
    }

    private void leave(Node n, String why) {
        topology.remove(n);
        membership.removed(n);
        Log.LOG.patroniMemberLeft(n.name(), why);
        long deadline = System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(DRAIN_MILLIS);
        Runnable[] drain = new Runnable[1];
        drain[0] = () -> {
            if (n.connections().counts().active() == 0 || System.nanoTime() > deadline) {
                n.connections().close();
            } else {
                poller.schedule(drain[0], 200, TimeUnit.MILLISECONDS);
            }
        };
        try {
            poller.execute(drain[0]);
        } catch (RejectedExecutionException e) {
            n.connections().close();
        }
    }

    /** A member's node: the primary URL with the member's host and port, its own settings if listed. */
    NodeConfig nodeConfig(Member m) {
        return nodeConfig(config, m);
    }

    static NodeConfig nodeConfig(ReplicationConfig config, Member m) {
        NodeConfig template = config.primary();
        String url = JdbcUrls.withServer(template.url(), m.host(), m.port());
        for (NodeConfig o : config.replicas()) {
            if (o.name().equals(m.name())) {
                return new NodeConfig(m.name(), url, o.user(), o.password(), o.weight(), null, null, o.reads(), 0,
                        o.pool());
            }
        }
        return new NodeConfig(m.name(), url, template.user(), template.password(), 1, null, null, true, 0,
                config.pool());
    }

    private boolean usableName(String name) {
        return name != null && NODE_NAME.matcher(name).matches()
                && !name.toLowerCase(Locale.ROOT).equals(config.primary().name().toLowerCase(Locale.ROOT));
    }

    private String nameRule() {
        return "1 to 63 letters, digits, '_' or '-', not '" + config.primary().name() + "', the primary's tenant";
    }

    @Override
    public void close() {
        poller.shutdownNow();
    }
}
