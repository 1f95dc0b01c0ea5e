package dev.replication.it.wildfly.app;

import jakarta.annotation.Resource;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.transaction.Synchronization;
import jakarta.transaction.TransactionManager;
import jakarta.transaction.TransactionSynchronizationRegistry;
import jakarta.transaction.Transactional;

import java.util.concurrent.atomic.AtomicReference;

/**
 * What the server's transaction manager allows where Hibernate flushes at commit: its interposed
 * {@code beforeCompletion} (Hibernate registers its synchronization through the JTA platform, interposed on WildFly).
 * Work done there (a flush whose statements are the transaction's first) takes connections there.
 */
@ApplicationScoped
public class TxProbe {

    @Resource
    TransactionSynchronizationRegistry registry;

    @Resource(lookup = "java:jboss/TransactionManager")
    TransactionManager tm;

    /** What the synchronization registered interposed inside the beforeCompletion saw afterwards. */
    private volatile AtomicReference<String> interposedAfter;

    public String interposedAfter() {
        AtomicReference<String> a = interposedAfter;
        return a == null ? "-" : a.get();
    }

    /** {@code status during interposed beforeCompletion | outcome of registerSynchronization there}. */
    @Transactional
    public AtomicReference<String> probe() {
        AtomicReference<String> seen = new AtomicReference<>("not run");
        registry.registerInterposedSynchronization(new Synchronization() {
            @Override
            public void beforeCompletion() {
                String status = String.valueOf(registry.getTransactionStatus());
                String registration;
                try {
                    tm.getTransaction().registerSynchronization(new Synchronization() {
                        @Override
                        public void beforeCompletion() {
                        }

                        @Override
                        public void afterCompletion(int s) {
                        }
                    });
                    registration = "registered";
                } catch (Exception e) {
                    registration = e.getClass().getSimpleName() + ": " + e.getMessage();
                }
                String interposed;
                AtomicReference<String> after = new AtomicReference<>("not called");
                try {
                    registry.registerInterposedSynchronization(new Synchronization() {
                        @Override
                        public void beforeCompletion() {
                        }

                        @Override
                        public void afterCompletion(int s) {
                            after.set("afterCompletion(" + s + ")");
                        }
                    });
                    interposed = "registered";
                } catch (Exception e) {
                    interposed = e.getClass().getSimpleName() + ": " + e.getMessage();
                }
                interposedAfter = after;
                registration = registration + "; registerInterposedSynchronization: " + interposed;
                String txStatus;
                try {
                    txStatus = String.valueOf(tm.getTransaction().getStatus());
                } catch (Exception e) {
                    txStatus = e.toString();
                }
                seen.set("registry status " + status + ", Transaction.getStatus " + txStatus + ", registerSynchronization: "
                        + registration);
            }

            @Override
            public void afterCompletion(int status) {
            }
        });
        return seen;
    }
}
