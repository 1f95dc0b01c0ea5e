package dev.replication.micrometer;

import dev.replication.ClusterStatus;
import dev.replication.Intent;
import dev.replication.NodeRole;
import dev.replication.NodeStatus;
import dev.replication.RoutingDecision;
import dev.replication.RoutingReason;
import dev.replication.spi.RoutingListener;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import org.junit.jupiter.api.Test;

import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicReference;

import static org.assertj.core.api.Assertions.assertThat;

class ReplicationMetricsTest {

    private static NodeStatus node(String name, NodeRole role, boolean up, long lagBytes, Duration lag) {
        return new NodeStatus(name, role, role, up, up && role == NodeRole.REPLICA, up ? null : "down", 100, lagBytes,
                lag, 1, Instant.now(), 1, 2, 0);
    }

    private final AtomicReference<ClusterStatus> status = new AtomicReference<>(new ClusterStatus("primary", List.of(
            node("primary", NodeRole.PRIMARY, true, 0, Duration.ZERO),
            node("r1", NodeRole.REPLICA, true, 4096, Duration.ofMillis(1500)),
            node("r2", NodeRole.REPLICA, false, -1, null)), Instant.now()));
    private final List<RoutingListener> listeners = new ArrayList<>();
    private final SimpleMeterRegistry registry = new SimpleMeterRegistry();

    private ReplicationMetrics bind() {
        return ReplicationMetrics.bind(registry, status::get, listeners::add, listeners::remove);
    }

    @Test
    void countsRoutingDecisionsByNodeReasonAndIntent() {
        ReplicationMetrics m = bind();
        assertThat(listeners).containsExactly(m);
        for (int i = 0; i < 3; i++) {
            m.routed(new RoutingDecision("r1", "r1", Intent.READ, RoutingReason.REPLICA_SELECTED, true));
        }
        m.routed(new RoutingDecision("primary", "primary", Intent.WRITE, RoutingReason.PRIMARY_REQUESTED, false));
        m.routed(new RoutingDecision("primary", "primary", Intent.READ, RoutingReason.LAG_EXCEEDED, false));

        assertThat(registry.get("replication.routed").tags("node", "r1", "reason", "replica_selected", "intent", "read")
                .counter().count()).isEqualTo(3);
        assertThat(registry.get("replication.routed").tags("node", "primary", "reason", "primary_requested",
                "intent", "write").counter().count()).isEqualTo(1);
        assertThat(registry.get("replication.routed").tag("reason", "lag_exceeded").counter().count()).isEqualTo(1);
        assertThat(registry.get("replication.routed").counters()).hasSize(3);
    }

    @Test
    void gaugesFollowTheStatusAndUnknownLagIsNaN() {
        bind();
        assertThat(registry.get("replication.lag.bytes").tag("node", "r1").gauge().value()).isEqualTo(4096);
        assertThat(registry.get("replication.lag.seconds").tag("node", "r1").gauge().value()).isEqualTo(1.5);
        assertThat(registry.get("replication.lag.seconds").tag("node", "primary").gauge().value()).isZero();
        assertThat(registry.get("replication.lag.bytes").tag("node", "r2").gauge().value()).isNaN();
        assertThat(registry.get("replication.node.up").tag("node", "r1").gauge().value()).isEqualTo(1);
        assertThat(registry.get("replication.node.up").tag("node", "r2").gauge().value()).isZero();
        assertThat(registry.get("replication.node.usable").tag("node", "r1").gauge().value()).isEqualTo(1);
        assertThat(registry.get("replication.pool.idle").tag("node", "r1").gauge().value()).isEqualTo(2);

        status.set(new ClusterStatus("primary", List.of(
                node("primary", NodeRole.PRIMARY, true, 0, Duration.ZERO),
                node("r1", NodeRole.REPLICA, false, -1, null),
                node("r2", NodeRole.REPLICA, true, 0, Duration.ZERO)), Instant.now()));
        assertThat(registry.get("replication.node.up").tag("node", "r1").gauge().value()).isZero();
        assertThat(registry.get("replication.node.up").tag("node", "r2").gauge().value()).isEqualTo(1);
        assertThat(registry.get("replication.lag.bytes").tag("node", "r1").gauge().value()).isNaN();
    }

    @Test
    void aNodeAddedAtRunTimeGetsItsGauges() {
        ReplicationMetrics m = bind();
        assertThat(registry.find("replication.node.up").tag("node", "r3").gauge()).isNull();
        status.set(new ClusterStatus("primary", List.of(
                node("primary", NodeRole.PRIMARY, true, 0, Duration.ZERO),
                node("r3", NodeRole.REPLICA, true, 512, Duration.ZERO)), Instant.now()));
        m.nodeStateChanged("r3", "added", "Patroni member");
        m.nodeStateChanged("r3", "added", "Patroni member");
        assertThat(registry.get("replication.node.up").tag("node", "r3").gauges()).hasSize(1);
        assertThat(registry.get("replication.lag.bytes").tag("node", "r3").gauge().value()).isEqualTo(512);
        assertThat(registry.get("replication.node.up").tag("node", "r1").gauge().value()).as("r1 left").isNaN();
    }

    @Test
    void tokenWaitsRetriesFailoversAndTransitions() {
        ReplicationMetrics m = bind();
        assertThat(registry.get("replication.failovers").counters()).hasSize(2)
                .allSatisfy(c -> assertThat(c.count()).isZero());
        assertThat(registry.get("replication.read.retries").tag("node", "r2").counter().count()).isZero();

        m.tokenWaited("r1", Duration.ofMillis(20), true);
        m.tokenWaited("primary", Duration.ofMillis(300), false);
        m.readRetried("r2", "connection refused");
        m.primaryChanged("primary", "r1", true);
        m.nodeStateChanged("r2", "down", "connection refused");
        m.nodeStateChanged("r2", "down", "again");

        var replayed = registry.get("replication.token.wait").tag("outcome", "replayed").timer();
        assertThat(replayed.count()).isEqualTo(1);
        assertThat(replayed.totalTime(TimeUnit.MILLISECONDS)).isEqualTo(20);
        assertThat(registry.get("replication.token.wait").tag("outcome", "timeout").timer().count()).isEqualTo(1);
        assertThat(registry.get("replication.read.retries").tag("node", "r2").counter().count()).isEqualTo(1);
        assertThat(registry.get("replication.failovers").tag("promoted", "true").counter().count()).isEqualTo(1);
        assertThat(registry.get("replication.failovers").tag("promoted", "false").counter().count()).isZero();
        assertThat(registry.get("replication.node.transitions").tags("node", "r2", "state", "down").counter().count())
                .isEqualTo(2);
    }

    @Test
    void closeRemovesTheListenerAndEveryMeter() {
        ReplicationMetrics m = bind();
        m.routed(new RoutingDecision("r1", "r1", Intent.READ, RoutingReason.REPLICA_SELECTED, true));
        assertThat(registry.getMeters()).isNotEmpty();
        m.close();
        m.close();
        assertThat(listeners).isEmpty();
        assertThat(registry.getMeters()).isEmpty();
    }

    @Test
    void meterNamesFollowMicrometerConventions() {
        bind().routed(new RoutingDecision("r1", "r1", Intent.READ_STRONG, RoutingReason.PRIMARY_REQUESTED, false));
        assertThat(registry.getMeters()).allSatisfy(meter -> {
            assertThat(meter.getId().getName()).matches("replication(\\.[a-z]+)+");
            meter.getId().getTags().forEach(t -> assertThat(t.getKey()).matches("[a-z]+"));
        });
    }
}
