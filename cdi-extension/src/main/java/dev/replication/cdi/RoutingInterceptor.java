package dev.replication.cdi;

import dev.replication.ConsistencyScope;
import dev.replication.Intent;
import dev.replication.Replication;
import dev.replication.RoutingScope;
import dev.replication.Routing;
import dev.replication.cdi.internal.CurrentEntityManager;
import dev.replication.cdi.internal.JtaCalls;
import dev.replication.cdi.internal.RouteSpec;
import jakarta.annotation.Priority;
import jakarta.enterprise.context.ContextNotActiveException;
import jakarta.enterprise.context.RequestScoped;
import jakarta.enterprise.inject.Instance;
import jakarta.enterprise.inject.spi.BeanManager;
import jakarta.inject.Inject;
import jakarta.interceptor.AroundInvoke;
import jakarta.interceptor.Interceptor;
import jakarta.interceptor.InvocationContext;
import jakarta.persistence.EntityManager;
import jakarta.persistence.TransactionRequiredException;
import org.hibernate.Session;

import java.io.Serializable;
import java.lang.reflect.Method;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentMap;

/**
 * The one interceptor behind {@link ReadReplica} and {@link Primary} (bound through
 * {@link RoutingBinding}). For each intercepted call it:
 * <ol>
 *   <li>reads the nearest annotation (method, then class) into an intent and options;</li>
 *   <li>binds the request's {@link RequestConsistency} as the thread's consistency scope, when a
 *       request context is active and it is not bound already;</li>
 *   <li>without an active JTA transaction: runs the call through {@link Replication#transaction}:
 *       routing scope first, then an EntityManager on the chosen node and a resource-local
 *       transaction (read-only for {@code @ReadReplica} and {@code @Primary(readOnly = true)}),
 *       committed on normal return and rolled back on any exception; nested calls join per the
 *       core's nesting rules; a read whose replica connection fails is invoked once more on another
 *       node; failures are translated (a write in a read-only call becomes
 *       {@link dev.replication.ReadOnlyViolationException});</li>
 *   <li>for a persistence unit with {@code transaction-type="JTA"}: see {@link JtaCalls} (the node is
 *       fixed before the transaction begins; {@code @Transactional} or the interceptor runs the
 *       transaction through the transaction manager; one node per transaction);</li>
 *   <li>for a resource-local unit with an active JTA transaction (found through a {@code TransactionSynchronizationRegistry}
 *       bean or JNDI {@code java:comp/TransactionSynchronizationRegistry}): never switches node
 *       inside it. If an annotated call is already in progress on the thread, the call simply
 *       proceeds on that call's node; otherwise the call is pinned to the <em>primary</em> (a
 *       transaction begun before us may already hold primary resources, and a replica cannot take
 *       part in it), with an EntityManager that joins the JTA transaction. The interceptor then
 *       neither commits nor rolls back: the transaction's owner does.</li>
 * </ol>
 * Its priority, {@link #PRIORITY} ({@code PLATFORM_BEFORE + 100}), is below
 * {@code jakarta.transaction.Transactional}'s interceptors ({@code PLATFORM_BEFORE + 200}), so the
 * node is fixed before a {@code @Transactional} transaction begins.
 * <p>
 * Self-invocation caveat: calls a bean makes on itself through {@code this} are not intercepted.
 */
@Interceptor
@RoutingBinding
@Priority(RoutingInterceptor.PRIORITY)
public class RoutingInterceptor implements Serializable {
    private static final long serialVersionUID = 1L;

    /** {@code Interceptor.Priority.PLATFORM_BEFORE + 100}: before {@code @Transactional} (+200). */
    public static final int PRIORITY = Interceptor.Priority.PLATFORM_BEFORE + 100;

    private record Key(Class<?> target, Method method) {
    }

    private static final ConcurrentMap<Key, RouteSpec> SPECS = new ConcurrentHashMap<>();

    @Inject
    RoutedPersistence persistence;

    @Inject
    BeanManager beanManager;

    @Inject
    Instance<RequestConsistency> requestConsistency;

    @AroundInvoke
    public Object route(InvocationContext ic) throws Exception {
        RouteSpec spec = spec(ic);
        ConsistencyScope.Binding binding = bindRequestConsistency();
        try {
            JtaCalls jtaUnit = persistence.jtaCalls();
            if (jtaUnit != null) {
                return jtaUnit.invoke(ic, spec);
            }
            if (persistence.jta().transactionActive()) {
                return inJtaTransaction(ic, spec);
            }
            return inResourceLocalTransaction(ic, spec);
        } finally {
            if (binding != null) {
                binding.close();
            }
        }
    }

    private static RouteSpec spec(InvocationContext ic) {
        Object target = ic.getTarget();
        Class<?> targetClass = target == null ? null : target.getClass();
        Method m = ic.getMethod();
        return SPECS.computeIfAbsent(new Key(targetClass, m),
                k -> RouteSpec.of(k.method(), k.target(), RouteSpec.bindings(ic)));
    }

    private ConsistencyScope.Binding bindRequestConsistency() {
        try {
            if (!beanManager.getContext(RequestScoped.class).isActive()) {
                return null;
            }
        } catch (ContextNotActiveException e) {
            return null;
        }
        ConsistencyScope scope = requestConsistency.get().scope();
        return ConsistencyScope.current() == scope ? null : scope.bind();
    }

    private Object inResourceLocalTransaction(InvocationContext ic, RouteSpec spec) throws Exception {
        Replication replication = persistence.replication();
        EntityManager enclosing = CurrentEntityManager.top();
        try {
            return replication.transaction(spec.intent(), spec.options(), em -> {
                if (em != enclosing && spec.intent() != Intent.WRITE) {
                    readOnly(em);
                }
                CurrentEntityManager.push(em);
                try {
                    return ic.proceed();
                } catch (RuntimeException e) {
                    throw e;
                } catch (Exception e) {
                    throw new CheckedFailure(e);
                } finally {
                    CurrentEntityManager.pop();
                }
            });
        } catch (CheckedFailure f) {
            throw f.checked();
        }
    }

    /**
     * A fresh EntityManager of a read call: no dirty checking. Its connection is read-only already:
     * the core hands out read-only connections for READ and READ_STRONG scopes, on replicas and on
     * the primary alike.
     */
    private static void readOnly(EntityManager em) {
        em.unwrap(Session.class).setDefaultReadOnly(true);
    }

    private Object inJtaTransaction(InvocationContext ic, RouteSpec spec) throws Exception {
        if (CurrentEntityManager.top() != null || Routing.current().isPresent()) {
            return ic.proceed(); // the node is fixed for the rest of the transaction
        }
        Intent pinned = spec.intent() == Intent.WRITE ? Intent.WRITE : Intent.READ_STRONG;
        try (RoutingScope scope = Routing.open(pinned, spec.options())) {
            EntityManager em = persistence.entityManagerFactory().createEntityManager();
            try {
                try {
                    em.joinTransaction();
                } catch (IllegalStateException | TransactionRequiredException notJta) {
                    // a resource-local unit cannot join: it runs on the primary without a transaction of its own
                }
                CurrentEntityManager.push(em);
                try {
                    return ic.proceed();
                } catch (RuntimeException e) {
                    throw persistence.integration().translateFailure(e, scope.decision().orElse(null));
                } finally {
                    CurrentEntityManager.pop();
                }
            } finally {
                em.close();
            }
        }
    }

    /** Carries a checked exception of the intercepted method through the facade's {@code Function}. */
    private static final class CheckedFailure extends RuntimeException {
        private static final long serialVersionUID = 1L;

        CheckedFailure(Exception cause) {
            super(cause.getMessage(), cause, false, false);
        }

        Exception checked() {
            return (Exception) getCause();
        }
    }
}
