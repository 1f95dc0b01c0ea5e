package dev.replication.hibernate;

import dev.replication.internal.ReplicationRuntime;
import dev.replication.internal.ScopeStack;
import org.hibernate.context.spi.CurrentTenantIdentifierResolver;

/**
 * Resolves the tenant of a new session from the thread's routing scope: the node the scope
 * resolves to, or the primary when no scope is open (safe default). A session keeps its tenant
 * for its whole life.
 * <p>
 * Replica tenants are reported as "root" tenants: Hibernate then bypasses the second-level cache
 * for them ({@code CacheMode.IGNORE}), because an entry cached under a replica tenant would never
 * be invalidated by a write on the primary. We do not use {@code @TenantId} columns, so "root"
 * has no other effect. Bound to its runtime by {@link ReplicationIntegrator}. Thread-safe.
 */
public class ReplicationTenantResolver implements CurrentTenantIdentifierResolver<String> {

    private volatile ReplicationRuntime runtime;

    void bind(ReplicationRuntime runtime) {
        this.runtime = runtime;
    }

    @Override
    public String resolveCurrentTenantIdentifier() {
        ReplicationRuntime rt = runtime;
        if (rt == null) {
            return "primary";
        }
        ScopeStack.Scope scope = ScopeStack.current();
        return scope == null ? rt.primaryTenant() : scope.resolve(rt).tenant();
    }

    @Override
    public boolean validateExistingCurrentSessions() {
        return false;
    }

    @Override
    public boolean isRoot(String tenant) {
        ReplicationRuntime rt = runtime;
        return rt != null && rt.isReplicaTenant(tenant);
    }
}
