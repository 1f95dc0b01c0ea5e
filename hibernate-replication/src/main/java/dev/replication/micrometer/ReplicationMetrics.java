package dev.replication.micrometer;

import dev.replication.ClusterStatus;
import dev.replication.NodeStatus;
import dev.replication.Replication;
import dev.replication.RoutingDecision;
import dev.replication.spi.RoutingListener;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.Meter;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Tags;
import io.micrometer.core.instrument.Timer;

import java.time.Duration;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.function.Consumer;
import java.util.function.Supplier;
import java.util.function.ToDoubleFunction;

/**
 * Micrometer meters for a replicated persistence unit. Optional: this package is the only one
 * that uses Micrometer, and nothing else in the library refers to it, so applications without
 * {@code micrometer-core} never load it.
 * <pre>{@code
 * ReplicationMetrics metrics = ReplicationMetrics.bind(Replication.of(emf), meterRegistry);
 * ...
 * metrics.close(); // removes the listener and the meters
 * }</pre>
 * Meters (every name starts with {@code replication.}; see docs/observability.md):
 * <ul>
 *   <li>{@code replication.routed} (counter; tags {@code node}, {@code reason}, {@code intent}):
 *       routing decisions, about one per session or unit of work</li>
 *   <li>{@code replication.lag.bytes}, {@code replication.lag.seconds} (gauges; tag {@code node}):
 *       replication lag at the last monitor check, NaN when unknown</li>
 *   <li>{@code replication.node.up}, {@code replication.node.usable} (gauges; tag {@code node}): 1 or 0</li>
 *   <li>{@code replication.pool.active}, {@code replication.pool.idle}, {@code replication.pool.waiting}
 *       (gauges; tag {@code node})</li>
 *   <li>{@code replication.token.wait} (timer; tag {@code outcome} = {@code replayed} or {@code timeout})</li>
 *   <li>{@code replication.failovers} (counter; tag {@code promoted} = {@code true} when this library promoted)</li>
 *   <li>{@code replication.read.retries} (counter; tag {@code node}, the node that failed)</li>
 *   <li>{@code replication.token.unknown} (counter): a committed write's position could not be learned,
 *       so its scope's reads went to the primary (warning HRR000039)</li>
 *   <li>{@code replication.node.transitions} (counter; tags {@code node}, {@code state}): health changes</li>
 * </ul>
 * Thread-safe.
 */
public final class ReplicationMetrics implements RoutingListener, AutoCloseable {

    /** Common prefix of every meter name. */
    public static final String PREFIX = "replication.";
    public static final String ROUTED = PREFIX + "routed";
    public static final String TOKEN_UNKNOWN = PREFIX + "token.unknown";
    public static final String LAG_BYTES = PREFIX + "lag.bytes";
    public static final String LAG_SECONDS = PREFIX + "lag.seconds";
    public static final String NODE_UP = PREFIX + "node.up";
    public static final String NODE_USABLE = PREFIX + "node.usable";
    public static final String POOL_ACTIVE = PREFIX + "pool.active";
    public static final String POOL_IDLE = PREFIX + "pool.idle";
    public static final String POOL_WAITING = PREFIX + "pool.waiting";
    public static final String TOKEN_WAIT = PREFIX + "token.wait";
    public static final String FAILOVERS = PREFIX + "failovers";
    public static final String READ_RETRIES = PREFIX + "read.retries";
    public static final String NODE_TRANSITIONS = PREFIX + "node.transitions";

    private final MeterRegistry registry;
    private final Tags commonTags;
    private final Supplier<ClusterStatus> status;
    private final Runnable unregister;
    private final List<Meter> meters = new CopyOnWriteArrayList<>();
    private final Map<RoutingKey, Counter> routed = new ConcurrentHashMap<>();
    private final Map<String, Counter> retries = new ConcurrentHashMap<>();
    private final Map<String, Counter> transitions = new ConcurrentHashMap<>();
    private final Timer tokenReplayed;
    private final Timer tokenTimeout;
    private final Counter failoversPromoted;
    private final Counter failoversFollowed;
    private final Counter positionsUnknown;
    private volatile boolean closed;
    private final Set<String> nodesWithMeters = ConcurrentHashMap.newKeySet();

    private record RoutingKey(String node, Object reason, Object intent) {
    }

    private ReplicationMetrics(MeterRegistry registry, Iterable<io.micrometer.core.instrument.Tag> tags,
                               Supplier<ClusterStatus> status, Consumer<RoutingListener> register,
                               Consumer<RoutingListener> unregister) {
        this.registry = Objects.requireNonNull(registry, "registry");
        this.commonTags = Tags.of(tags);
        this.status = Objects.requireNonNull(status, "status");
        ClusterStatus initial = status.get();
        for (NodeStatus n : initial.nodes()) {
            nodeMeters(n.name());
        }
        this.tokenReplayed = tokenTimer("replayed");
        this.tokenTimeout = tokenTimer("timeout");
        this.failoversPromoted = failoverCounter(true);
        this.failoversFollowed = failoverCounter(false);
        this.positionsUnknown = Counter.builder(TOKEN_UNKNOWN).tags(commonTags)
                .description("Committed writes whose WAL position could not be learned; their scopes read on the primary")
                .register(registry);
        meters.add(positionsUnknown);
        register.accept(this);
        this.unregister = () -> unregister.accept(this);
    }

    /** Registers the meters of {@code replication} in {@code registry} and starts counting. */
    public static ReplicationMetrics bind(Replication replication, MeterRegistry registry) {
        return bind(replication, registry, Tags.empty());
    }

    /** As {@link #bind(Replication, MeterRegistry)}, adding {@code tags} (e.g. {@code unit=orders}) to every meter. */
    public static ReplicationMetrics bind(Replication replication, MeterRegistry registry,
                                          Iterable<io.micrometer.core.instrument.Tag> tags) {
        Objects.requireNonNull(replication, "replication");
        return new ReplicationMetrics(registry, tags, replication::status, replication::addListener,
                replication::removeListener);
    }

    /** For tests and other integrations: meters over any status source and listener registration. */
    static ReplicationMetrics bind(MeterRegistry registry, Supplier<ClusterStatus> status,
                                   Consumer<RoutingListener> register, Consumer<RoutingListener> unregister) {
        return new ReplicationMetrics(registry, Tags.empty(), status, register, unregister);
    }

    /** The per-node gauges and retry counter; once per node (members of a Patroni topology join at run time). */
    private void nodeMeters(String node) {
        if (!nodesWithMeters.add(node)) {
            return;
        }
        gauge(LAG_BYTES, node, "WAL bytes the node is behind the primary (NaN when unknown)", "bytes",
                s -> s.lagBytes() < 0 ? Double.NaN : s.lagBytes());
        gauge(LAG_SECONDS, node, "Time the node is behind the primary (NaN when unknown)", "seconds",
                s -> s.lag() == null ? Double.NaN : s.lag().toNanos() / 1e9);
        gauge(NODE_UP, node, "1 when the node's last health check succeeded, else 0", null,
                s -> s.up() ? 1 : 0);
        gauge(NODE_USABLE, node, "1 when the node may serve reads now, else 0", null,
                s -> s.usable() ? 1 : 0);
        gauge(POOL_ACTIVE, node, "Connections in use in the node's pool", "connections", NodeStatus::poolActive);
        gauge(POOL_IDLE, node, "Idle connections in the node's pool", "connections", NodeStatus::poolIdle);
        gauge(POOL_WAITING, node, "Threads waiting for a connection of the node's pool", "threads",
                NodeStatus::poolWaiting);
        retries.computeIfAbsent(node, this::retryCounter);
    }

    private void gauge(String name, String node, String description, String unit, ToDoubleFunction<NodeStatus> f) {
        Gauge.Builder<ReplicationMetrics> b = Gauge.builder(name, this, m -> m.value(node, f))
                .tags(commonTags).tag("node", node).description(description);
        if (unit != null) {
            b.baseUnit(unit);
        }
        meters.add(b.register(registry));
    }

    private double value(String node, ToDoubleFunction<NodeStatus> f) {
        if (closed) {
            return Double.NaN;
        }
        return status.get().node(node).map(f::applyAsDouble).orElse(Double.NaN);
    }

    private Counter retryCounter(String node) {
        Counter c = Counter.builder(READ_RETRIES).tags(commonTags).tag("node", node)
                .description("Reads retried on another node after a connection failure on this node")
                .register(registry);
        meters.add(c);
        return c;
    }

    private Timer tokenTimer(String outcome) {
        Timer t = Timer.builder(TOKEN_WAIT).tags(commonTags).tag("outcome", outcome)
                .description("Time reads waited for a replica to replay their read-after-write token")
                .register(registry);
        meters.add(t);
        return t;
    }

    private Counter failoverCounter(boolean promoted) {
        Counter c = Counter.builder(FAILOVERS).tags(commonTags).tag("promoted", String.valueOf(promoted))
                .description("Primary changes: promoted=true when this library promoted a standby, false when it"
                        + " followed a primary promoted elsewhere")
                .register(registry);
        meters.add(c);
        return c;
    }

    private static String tagValue(Object e) {
        return e == null ? "none" : e.toString().toLowerCase(Locale.ROOT);
    }

    // ------------------------------------------------------------------ RoutingListener

    @Override
    public void routed(RoutingDecision d) {
        Counter c = routed.get(new RoutingKey(d.node(), d.reason(), d.intent()));
        if (c == null) {
            c = routed.computeIfAbsent(new RoutingKey(d.node(), d.reason(), d.intent()), k -> {
                Counter counter = Counter.builder(ROUTED).tags(commonTags).tag("node", k.node())
                        .tag("reason", tagValue(k.reason())).tag("intent", tagValue(k.intent()))
                        .description("Routing decisions (about one per session or unit of work), by node and reason")
                        .register(registry);
                meters.add(counter);
                return counter;
            });
        }
        c.increment();
    }

    @Override
    public void tokenWaited(String node, Duration waited, boolean satisfied) {
        (satisfied ? tokenReplayed : tokenTimeout).record(waited);
    }

    @Override
    public void positionUnknown(String reason) {
        positionsUnknown.increment();
    }

    @Override
    public void readRetried(String failedNode, String reason) {
        retries.computeIfAbsent(failedNode, this::retryCounter).increment();
    }

    @Override
    public void primaryChanged(String oldPrimary, String newPrimary, boolean promotedByUs) {
        (promotedByUs ? failoversPromoted : failoversFollowed).increment();
    }

    @Override
    public void nodeStateChanged(String node, String state, String reason) {
        if (state.equals("added")) {
            nodeMeters(node);
        }
        transitions.computeIfAbsent(node + '\u0000' + state, k -> {
            Counter c = Counter.builder(NODE_TRANSITIONS).tags(commonTags).tag("node", node).tag("state", state)
                    .description("Health changes of a node (down, up, excluded, readmitted, fenced, ...)")
                    .register(registry);
            meters.add(c);
            return c;
        }).increment();
    }

    /** Stops counting and removes every meter this instance registered. Idempotent. */
    @Override
    public void close() {
        if (closed) {
            return;
        }
        closed = true;
        unregister.run();
        for (Meter m : meters) {
            registry.remove(m);
        }
        meters.clear();
    }
}
