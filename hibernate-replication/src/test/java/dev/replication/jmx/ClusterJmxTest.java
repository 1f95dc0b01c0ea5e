package dev.replication.jmx;

import dev.replication.ClusterStatus;
import dev.replication.NodeRole;
import dev.replication.NodeStatus;
import org.junit.jupiter.api.Test;

import javax.management.JMX;
import javax.management.MBeanServer;
import javax.management.ObjectName;
import javax.management.openmbean.CompositeData;
import java.lang.management.ManagementFactory;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.concurrent.atomic.AtomicInteger;

import static org.assertj.core.api.Assertions.assertThat;

class ClusterJmxTest {

    private static final MBeanServer SERVER = ManagementFactory.getPlatformMBeanServer();

    private final ClusterStatus status = new ClusterStatus("primary", List.of(
            new NodeStatus("primary", NodeRole.PRIMARY, NodeRole.PRIMARY, true, true, null, 0x1_0000_0010L, 0,
                    Duration.ZERO, 1, Instant.parse("2025-01-01T00:00:00Z"), 1, 2, 0),
            new NodeStatus("r1", NodeRole.REPLICA, NodeRole.REPLICA, true, false, "lag 6000ms > max 5000ms", 16, 8192,
                    Duration.ofMillis(6000), 1, Instant.parse("2025-01-01T00:00:00Z"), 0, 3, 1),
            new NodeStatus("r2", NodeRole.REPLICA, NodeRole.UNKNOWN, false, false, "connection refused", -1, -1, null,
                    -1, null, 0, 0, 0)), Instant.parse("2025-01-01T00:00:01Z"));

    @Test
    void defaultNameKeepsHostPortAndDatabaseOnly() {
        assertThat(ClusterJmx.defaultName("jdbc:postgresql://db1:5432/app")).isEqualTo("db1:5432/app");
        assertThat(ClusterJmx.defaultName("jdbc:postgresql://bob:S3cr3t@db1:5432/app?password=S3cr3t&ssl=true"))
                .isEqualTo("db1:5432/app");
        assertThat(ClusterJmx.defaultName("jdbc:postgresql://db1,db2:5433/app;password=x")).isEqualTo("db1,db2:5433/app");
        assertThat(ClusterJmx.objectName("db1:5432/app").toString())
                .isEqualTo("dev.replication:type=Cluster,name=\"db1:5432/app\"");
        assertThat(ClusterJmx.objectName("orders").toString()).isEqualTo("dev.replication:type=Cluster,name=orders");
    }

    @Test
    void registersAnMXBeanWithOpenTypesAndUnregisters() throws Exception {
        AtomicInteger checks = new AtomicInteger();
        try (ClusterJmx.Registration r = ClusterJmx.register("jmx-test", () -> status, checks::incrementAndGet)) {
            ObjectName on = r.objectName();
            assertThat(on).isEqualTo(new ObjectName("dev.replication:type=Cluster,name=jmx-test"));
            assertThat(SERVER.isRegistered(on)).isTrue();
            assertThat(SERVER.getAttribute(on, "Primary")).isEqualTo("primary");
            assertThat(SERVER.getAttribute(on, "UpNodes")).isEqualTo(2);
            assertThat(SERVER.getAttribute(on, "DownNodes")).isEqualTo(1);
            assertThat(SERVER.getAttribute(on, "UsableReplicas")).isEqualTo(0);
            assertThat((String[]) SERVER.getAttribute(on, "NodeNames")).containsExactly("primary", "r1", "r2");
            CompositeData[] nodes = (CompositeData[]) SERVER.getAttribute(on, "Nodes");
            assertThat(nodes).hasSize(3);
            assertThat(nodes[1].get("name")).isEqualTo("r1");
            assertThat(nodes[1].get("role")).isEqualTo("REPLICA");
            assertThat(nodes[1].get("up")).isEqualTo(true);
            assertThat(nodes[1].get("usable")).isEqualTo(false);
            assertThat(nodes[1].get("excludedReason")).isEqualTo("lag 6000ms > max 5000ms");
            assertThat(nodes[1].get("lagBytes")).isEqualTo(8192L);
            assertThat(nodes[1].get("lagMillis")).isEqualTo(6000L);
            assertThat(nodes[1].get("poolWaiting")).isEqualTo(1);
            assertThat(nodes[0].get("replayLsn")).isEqualTo("1/10");
            assertThat(nodes[2].get("lagMillis")).isEqualTo(-1L);

            SERVER.invoke(on, "checkNow", null, null);
            assertThat(checks).hasValue(1);

            ClusterMXBean proxy = JMX.newMXBeanProxy(SERVER, on, ClusterMXBean.class);
            assertThat(proxy.node("r2").isUp()).isFalse();
            assertThat(proxy.node("r2").getExcludedReason()).isEqualTo("connection refused");
            assertThat(proxy.node("nope")).isNull();
            assertThat(proxy.getLastCheck()).isEqualTo("2025-01-01T00:00:01Z");
            assertThat(proxy.describe()).contains("r1[up, excluded: lag 6000ms > max 5000ms");

            try (ClusterJmx.Registration second = ClusterJmx.register("jmx-test", () -> status, () -> { })) {
                assertThat(second.objectName().getKeyProperty("name")).isEqualTo("jmx-test#2");
            }
            r.close();
            assertThat(SERVER.isRegistered(on)).isFalse();
        }
    }
}
