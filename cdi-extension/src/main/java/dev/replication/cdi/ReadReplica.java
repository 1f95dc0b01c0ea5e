package dev.replication.cdi;

import dev.replication.Intent;
import dev.replication.NoReplicaPolicy;
import jakarta.enterprise.util.Nonbinding;
import jakarta.interceptor.InterceptorBinding;

import java.lang.annotation.Documented;
import java.lang.annotation.ElementType;
import java.lang.annotation.Inherited;
import java.lang.annotation.Retention;
import java.lang.annotation.RetentionPolicy;
import java.lang.annotation.Target;

/**
 * Runs the annotated method (or every business method of the annotated class) on a replica
 * chosen by the configured selector ({@link Intent#READ}), in a read-only transaction.
 * <pre>{@code
 * @ApplicationScoped @ReadReplica
 * public class Catalog {
 *     @Inject @Routed EntityManager em;
 *
 *     public Product find(long id) { return em.find(Product.class, id); }            // a replica
 *
 *     @ReadReplica(maxLag = "500ms", noReplica = NoReplicaPolicy.FAIL)
 *     public List<Product> fresh() { ... }                                           // tighter bound
 *
 *     @Primary
 *     public void rename(long id, String name) { em.find(Product.class, id).setName(name); } // the primary
 * }
 * }</pre>
 * <ul>
 *   <li><b>Nearest annotation wins</b>: an annotation on the method overrides one on the class,
 *       whichever of {@code @ReadReplica} / {@link Primary} each is. Only one interceptor runs
 *       (both share {@link RoutingBinding}).</li>
 *   <li><b>Read-only</b>: the transaction is read-only also when the read falls back to the
 *       primary; a write surfaces as {@link dev.replication.ReadOnlyViolationException}.</li>
 *   <li><b>Nesting</b> (the core's rules, see {@link dev.replication.Routing}): inside an enclosing
 *       {@code @Primary} call this method joins the enclosing transaction on the primary; inside an
 *       enclosing {@code @ReadReplica} call it stays on the same replica.</li>
 *   <li><b>Retry</b>: when the replica's connection fails before the method returns, the method is
 *       invoked once more on another node ({@code replication.retry-reads}); keep such methods
 *       free of side effects outside the database.</li>
 *   <li><b>Read-after-write</b>: reads honour the token of the current
 *       {@link RequestConsistency} (a replica that has not replayed the request's own writes is
 *       skipped, within {@code replication.consistency.wait-timeout}, then the primary).</li>
 *   <li><b>Self-invocation is not intercepted</b>: a bean calling its own annotated method through
 *       {@code this} bypasses the interceptor (CDI proxies intercept calls from other beans only);
 *       the call then runs in whatever scope is already open. With Weld this holds even through an
 *       injected reference to the bean itself while one of its intercepted methods is running (seen
 *       in the JTA tests). Put the method on another bean.</li>
 * </ul>
 */
@InterceptorBinding
@RoutingBinding
@Inherited
@Documented
@Retention(RetentionPolicy.RUNTIME)
@Target({ElementType.TYPE, ElementType.METHOD})
public @interface ReadReplica {

    /**
     * Bounded staleness for this call: the maximum replication time lag a replica may have to
     * serve it, such as {@code "500ms"}, {@code "2s"}, {@code "1m"} or a number of milliseconds.
     * Empty (the default) means the configured {@code replication.max-lag}. A malformed value fails
     * the first call of the method with an {@link IllegalArgumentException} naming the method.
     */
    @Nonbinding
    String maxLag() default "";

    /**
     * What to do when no replica qualifies: {@code noReplica = NoReplicaPolicy.FAIL} or
     * {@code NoReplicaPolicy.PRIMARY}. Empty (the default) means the configured
     * {@code replication.no-replica}. At most one value.
     */
    @Nonbinding
    NoReplicaPolicy[] noReplica() default {};

    /**
     * When this method is called inside a transaction that is already active (a caller's
     * {@code @Transactional}, a container-managed transaction, an enclosing {@link Primary} call):
     * {@code false} (the default) joins it and stays on its node; {@code true} suspends it, reads on a
     * replica in a read-only transaction of its own, and resumes it. The read then does not see the
     * caller's uncommitted writes (it does see its committed ones, through the request's token).
     * Routing events of such reads carry {@link dev.replication.RoutingReason#TRANSACTION_SUSPENDED}.
     */
    @Nonbinding
    boolean leaveTransaction() default false;
}
