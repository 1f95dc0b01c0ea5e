package dev.replication;

import java.time.Instant;
import java.util.List;
import java.util.Optional;

/**
 * Snapshot of the whole cluster as the monitor last saw it. Immutable.
 *
 * @param primary   name of the node that takes writes now
 * @param nodes     every configured node, in configuration order
 * @param lastCheck completion time of the last monitor round, {@code null} before the first
 */
public record ClusterStatus(String primary, List<NodeStatus> nodes, Instant lastCheck) {

    public ClusterStatus {
        nodes = List.copyOf(nodes);
    }

    public Optional<NodeStatus> node(String name) {
        return nodes.stream().filter(n -> n.name().equals(name)).findFirst();
    }

    /** A multi-line table for logs and the demo. */
    public String describe() {
        StringBuilder sb = new StringBuilder("primary=" + primary + ", last check " + lastCheck + "\n");
        for (NodeStatus n : nodes) {
            sb.append("  ").append(n.describe()).append(" role=").append(n.configuredRole())
                    .append(" observed=").append(n.observedRole()).append('\n');
        }
        return sb.toString();
    }
}
