package dev.replication.jmx;

/**
 * Cluster status for operators, over JMX. One MXBean is registered per replicated persistence
 * unit, as {@code dev.replication:type=Cluster,name=<name>} where the name is
 * {@code replication.jmx.name} or, by default, {@code host:port/database} of the primary URL
 * (never credentials). It is unregistered when the persistence unit closes. Disable with
 * {@code replication.jmx.enabled=false}.
 * <p>
 * Every attribute is read from the monitor's last snapshot (no database query), except
 * {@link #checkNow()}, which runs a round of checks.
 */
public interface ClusterMXBean {

    /** Name of the node that takes writes now. */
    String getPrimary();

    /** Completion time of the last monitor round (ISO-8601), or {@code null} before the first. */
    String getLastCheck();

    /** Every configured node, in configuration order. */
    NodeInfo[] getNodes();

    /** Names of every configured node, in configuration order. */
    String[] getNodeNames();

    /** Nodes whose last check succeeded. */
    int getUpNodes();

    /** Nodes that are down. */
    int getDownNodes();

    /** Replicas that may serve reads now. */
    int getUsableReplicas();

    /** The status of one node, or {@code null} when no node has that name. */
    NodeInfo node(String name);

    /** Runs a round of health and lag checks now and waits for it (bounded by the monitor timeout). */
    void checkNow();

    /** A multi-line human-readable table of the status, as in logs. */
    String describe();
}
