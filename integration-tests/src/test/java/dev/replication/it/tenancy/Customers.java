package dev.replication.it.tenancy;

import org.hibernate.context.spi.CurrentTenantIdentifierResolver;

import java.util.concurrent.Callable;

/**
 * The application's own tenant resolver, as a SaaS service has one (from the HTTP request, say):
 * the customer of the current thread, or a default one for threads that set none.
 */
public class Customers implements CurrentTenantIdentifierResolver<String> {
    private static final ThreadLocal<String> CURRENT = new ThreadLocal<>();
    private static volatile String fallback = "acme";

    static void byDefault(String customer) {
        fallback = customer;
    }

    static <T> T as(String customer, Callable<T> work) throws Exception {
        String previous = CURRENT.get();
        CURRENT.set(customer);
        try {
            return work.call();
        } finally {
            if (previous == null) {
                CURRENT.remove();
            } else {
                CURRENT.set(previous);
            }
        }
    }

    @Override
    public String resolveCurrentTenantIdentifier() {
        String c = CURRENT.get();
        return c != null ? c : fallback;
    }

    @Override
    public boolean validateExistingCurrentSessions() {
        return false;
    }
}
