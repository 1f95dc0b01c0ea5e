package dev.replication.cdi.internal;

import jakarta.enterprise.inject.Instance;
import jakarta.transaction.Status;
import jakarta.transaction.TransactionSynchronizationRegistry;

import javax.naming.InitialContext;
import javax.naming.NamingException;

/**
 * Finds out whether a JTA transaction is active on this thread. The JTA API is optional
 * ({@code provided}): without it, or without a {@link TransactionSynchronizationRegistry} (CDI bean
 * or JNDI {@code java:comp/TransactionSynchronizationRegistry}), there is never a JTA
 * transaction. The registry is looked up once.
 */
public final class Jta {

    private static final String JNDI_NAME = "java:comp/TransactionSynchronizationRegistry";

    private final Object registry; // TransactionSynchronizationRegistry or null

    private Jta(Object registry) {
        this.registry = registry;
    }

    /** Looks the registry up through {@code beans} (a CDI bean) and then JNDI. */
    public static Jta lookup(Instance<Object> beans) {
        try {
            Class.forName("jakarta.transaction.TransactionSynchronizationRegistry", false, Jta.class.getClassLoader());
        } catch (ClassNotFoundException | LinkageError e) {
            return new Jta(null);
        }
        return new Jta(Registry.find(beans));
    }

    /** True when a JTA transaction is active (or marked for rollback) on this thread. */
    public boolean transactionActive() {
        return registry != null && Registry.active(registry);
    }

    public boolean available() {
        return registry != null;
    }

    /** Isolates every reference to the optional JTA classes. */
    private static final class Registry {
        static Object find(Instance<Object> beans) {
            try {
                Instance<TransactionSynchronizationRegistry> i = beans.select(TransactionSynchronizationRegistry.class);
                if (i.isResolvable()) {
                    return i.get();
                }
            } catch (RuntimeException ignored) {
                // fall through to JNDI
            }
            try {
                Object o = new InitialContext().lookup(JNDI_NAME);
                return o instanceof TransactionSynchronizationRegistry ? o : null;
            } catch (NamingException | RuntimeException e) {
                return null;
            }
        }

        static boolean active(Object registry) {
            int s = ((TransactionSynchronizationRegistry) registry).getTransactionStatus();
            return s == Status.STATUS_ACTIVE || s == Status.STATUS_MARKED_ROLLBACK;
        }
    }
}
