package dev.replication;

/**
 * The node a routing scope resolved to, and why.
 *
 * @param node    node name whose pool serves the session
 * @param tenant  Hibernate tenant id of the session
 * @param intent  the scope's intent
 * @param reason  why this node
 * @param replica true when the session reads on a replica (read-only, second-level cache bypassed)
 */
public record RoutingDecision(String node, String tenant, Intent intent, RoutingReason reason, boolean replica) {
}
