/**
 * The library in a Quarkus application: {@link dev.replication.quarkus.QuarkusReplicationConnectionProvider}
 * (Quarkus data sources as nodes, settings from MicroProfile Config), {@link dev.replication.quarkus.NodeTenantResolver},
 * and {@link dev.replication.quarkus.ConsistencyTokenFilter} for read-your-writes across HTTP requests. The
 * {@code @ReadReplica}/{@code @Primary} interceptor, {@code RequestConsistency} and {@code ReplicationLag} are the
 * CDI extension's beans.
 */
package dev.replication.quarkus;
