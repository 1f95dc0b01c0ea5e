package dev.replication.quarkus;

import dev.replication.ClusterStatus;
import dev.replication.NodeRole;
import dev.replication.NodeStatus;
import dev.replication.cdi.ReplicationLag;
import io.quarkus.arc.properties.IfBuildProperty;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;
import org.eclipse.microprofile.health.HealthCheck;
import org.eclipse.microprofile.health.HealthCheckResponse;
import org.eclipse.microprofile.health.HealthCheckResponseBuilder;
import org.eclipse.microprofile.health.Readiness;

import java.util.List;

/**
 * Readiness check {@code replication} for applications with {@code quarkus-smallrye-health}: UP
 * while the node that takes writes answered the monitor's last check as a primary; the data lists
 * the primary, whether it is reachable, and the replicas usable for reads. Reads the monitor's
 * snapshot, never the database. A bean only when the build has {@code quarkus-smallrye-health}
 * (whose {@code quarkus.smallrye-health.extensions.enabled} also turns it off): without it, the
 * health API is absent and the class is never loaded. Application-scoped, thread-safe.
 */
@Readiness
@ApplicationScoped
@IfBuildProperty(name = "quarkus.smallrye-health.extensions.enabled", stringValue = "true", enableIfMissing = false)
public class ReplicationReadinessCheck implements HealthCheck {

    @Inject
    ReplicationLag lag;

    @Override
    public HealthCheckResponse call() {
        ClusterStatus status = lag.status();
        boolean primaryReachable = status.node(status.primary())
                .map(n -> n.up() && n.observedRole() != NodeRole.REPLICA).orElse(false);
        List<String> usable = status.nodes().stream()
                .filter(n -> n.configuredRole() == NodeRole.REPLICA && n.usable()).map(NodeStatus::name).toList();
        HealthCheckResponseBuilder b = HealthCheckResponse.named("replication").status(primaryReachable)
                .withData("primary", status.primary())
                .withData("primary-reachable", primaryReachable)
                .withData("usable-replicas", String.join(",", usable))
                .withData("usable-replica-count", usable.size());
        if (status.lastCheck() != null) {
            b.withData("last-check", status.lastCheck().toString());
        }
        return b.build();
    }
}
