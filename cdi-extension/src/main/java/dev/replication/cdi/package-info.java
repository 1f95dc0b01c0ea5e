/**
 * CDI integration of hibernate-replication: {@link dev.replication.cdi.ReadReplica} and
 * {@link dev.replication.cdi.Primary} on bean classes and methods (one interceptor,
 * {@link dev.replication.cdi.RoutingInterceptor}, nearest annotation wins), the routed
 * {@code @Inject @Routed EntityManager} (see {@link dev.replication.cdi.RoutedPersistence}),
 * the request-scoped read-after-write token {@link dev.replication.cdi.RequestConsistency} and the
 * lag monitor bean {@link dev.replication.cdi.ReplicationLag}. Add the jar, write persistence.xml,
 * annotate beans; no producer is needed. A bean calling its own annotated method is not
 * intercepted (self-invocation).
 */
package dev.replication.cdi;
