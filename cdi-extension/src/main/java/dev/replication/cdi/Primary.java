package dev.replication.cdi;

import dev.replication.Intent;
import jakarta.enterprise.util.Nonbinding;
import jakarta.interceptor.InterceptorBinding;

import java.lang.annotation.Documented;
import java.lang.annotation.ElementType;
import java.lang.annotation.Inherited;
import java.lang.annotation.Retention;
import java.lang.annotation.RetentionPolicy;
import java.lang.annotation.Target;

/**
 * Runs the annotated method (or every business method of the annotated class) on the primary.
 * <ul>
 *   <li>{@code @Primary} ({@link Intent#WRITE}): in a transaction that commits when the method
 *       returns normally and rolls back when it throws (any exception, checked or not). The commit
 *       advances the read-after-write token of the current {@link RequestConsistency}.</li>
 *   <li>{@code @Primary(readOnly = true)} ({@link Intent#READ_STRONG}, the seed's
 *       {@code :read_strong}): a read that must see every committed write, in a read-only
 *       transaction on the primary.</li>
 * </ul>
 * The nearest annotation wins (method over class) and only one interceptor runs, see
 * {@link ReadReplica}. Nested calls: a {@code @Primary} call inside an enclosing {@code @Primary}
 * call joins its transaction; inside an enclosing {@code @ReadReplica} call it opens its own
 * transaction on the primary (the replica session cannot write) and commits it when it returns.
 * <p>
 * Self-invocation (a bean calling its own annotated method through {@code this}) is not
 * intercepted; see {@link ReadReplica}.
 */
@InterceptorBinding
@RoutingBinding
@Inherited
@Documented
@Retention(RetentionPolicy.RUNTIME)
@Target({ElementType.TYPE, ElementType.METHOD})
public @interface Primary {

    /**
     * {@code true} for a strong read ({@link Intent#READ_STRONG}): the primary, read-only
     * transaction; {@code false} (the default) for writes ({@link Intent#WRITE}).
     */
    @Nonbinding
    boolean readOnly() default false;
}
