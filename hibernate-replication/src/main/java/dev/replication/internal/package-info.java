/**
 * The core's internals: private to this module (a build check fails when another module imports
 * them; integrations use {@code dev.replication.integration.spi}).
 *
 * <h2>Where things are</h2>
 * <ul>
 *   <li>{@code internal} — {@link dev.replication.internal.ReplicationRuntime}, the coordinator that
 *       builds and wires the parts below (one per session factory); {@link dev.replication.internal.Node},
 *       the node every layer shares (config, connections, role, health snapshot); the routing layer:
 *       {@link dev.replication.internal.ScopeStack} (a thread's routing scopes),
 *       {@link dev.replication.internal.Router} (scope to node), {@link dev.replication.internal.Selectors}
 *       (built-in replica selectors); {@link dev.replication.internal.Failures} (exception translation),
 *       {@link dev.replication.internal.Durations}, {@link dev.replication.internal.Secrets},
 *       {@link dev.replication.internal.Log} (every log line, stable ids).</li>
 *   <li>{@code internal.cluster} — topology: the nodes, the current primary (the primary tenant),
 *       the replicas routing may use, fencing.</li>
 *   <li>{@code internal.connection} — connection lending: {@code ConnectionSource} (where a node's
 *       connections come from; HikariCP today), {@code NodeConnections} (lent connections tracked so a
 *       hung node's can be aborted, direct connections for the monitor), {@code ConnectionLender} and
 *       {@code RoutedConnection} (the wrapper Hibernate gets: returns to its node, captures commit tokens).</li>
 *   <li>{@code internal.health} — {@code ClusterMonitor} (checks every node each interval, produces
 *       {@code Observation}s) and {@code HealthPolicy} (observations to up / excluded / readmitted).</li>
 *   <li>{@code internal.failover} — {@code PrimaryFailover} (counts primary failures, asks for quick re-checks
 *       after hard connection failures, promotes on its own thread, switches and fences on the monitor
 *       thread) and one {@code FailoverPolicy} per {@code replication.failover} mode:
 *       {@code manual}, {@code promote}, {@code discover}.</li>
 *   <li>{@code internal.consistency} — {@code ReplayPositions}: known primary position, commit
 *       positions, direct replay probes for read-after-write tokens.</li>
 *   <li>{@code internal.observe} — {@code EventPublisher} (routing listeners, primary-change hooks)
 *       and {@code MBeanRegistration} (JMX).</li>
 * </ul>
 *
 * <h2>The flow of one call</h2>
 * <ol>
 *   <li>{@code Replication.read(...)} (or the CDI interceptor) pushes a scope on {@code ScopeStack}.</li>
 *   <li>Hibernate asks {@code ReplicationTenantResolver} for the tenant: the scope resolves through
 *       {@code Router.route}, which reads the topology's replicas and their health snapshots (and, for a
 *       token not yet seen replayed, {@code ReplayPositions}); the decision is published.</li>
 *   <li>{@code ReplicationConnectionProvider.getConnection(tenant)} gets a connection through
 *       {@code ConnectionLender} from that node's {@code NodeConnections}, wrapped in a
 *       {@code RoutedConnection}.</li>
 *   <li>On commit of a write, {@code RoutedConnection} captures the commit's WAL position: the scope's
 *       token, and {@code ReplayPositions.committed}.</li>
 *   <li>Meanwhile the {@code ClusterMonitor} thread checks every node; each round goes to
 *       {@code PrimaryFailover} (may change the primary) and then {@code HealthPolicy} (updates each
 *       node's snapshot), which the next call's routing reads.</li>
 * </ol>
 */
package dev.replication.internal;
