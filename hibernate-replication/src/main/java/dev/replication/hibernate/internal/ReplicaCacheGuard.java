package dev.replication.hibernate.internal;

import dev.replication.internal.Log;
import dev.replication.internal.ReplicationRuntime;
import dev.replication.internal.ScopeStack;
import org.hibernate.CacheMode;
import org.hibernate.Session;
import org.hibernate.engine.spi.SessionFactoryImplementor;
import org.hibernate.engine.spi.SharedSessionContractImplementor;
import org.hibernate.event.service.spi.EventListenerRegistry;
import org.hibernate.event.spi.AutoFlushEvent;
import org.hibernate.event.spi.AutoFlushEventListener;
import org.hibernate.event.spi.EventType;
import org.hibernate.event.spi.InitializeCollectionEvent;
import org.hibernate.event.spi.InitializeCollectionEventListener;
import org.hibernate.event.spi.LoadEvent;
import org.hibernate.event.spi.LoadEventListener;

/**
 * Keeps sessions of replica tenants away from the second-level cache, on every Hibernate line.
 * Hibernate puts the tenant into cache keys, so an entry cached by a replica session is never
 * invalidated by a write on the primary (another tenant), and it was read from a replica that may
 * be behind: a later read would be served that entry whatever its token says. A replica session
 * therefore gets {@link CacheMode#IGNORE} before it can touch the cache:
 * <ul>
 *   <li>sessions the library opens itself for a replica ({@code Replication}) get it at once
 *       ({@link #ignoreCache});</li>
 *   <li>every other session gets it from listeners that Hibernate calls before its cache is read:
 *       loads by id and of proxies ({@code LOAD}), collections ({@code INIT_COLLECTION}) and, inside a
 *       transaction, every query before the query cache is consulted ({@code AUTO_FLUSH}).</li>
 * </ul>
 * This does not rely on "root" tenants (Hibernate 7.4 bypasses the cache for them; 6.6 to 7.2 do
 * not, and root tenants also switch off {@code @TenantId} filters). Sessions of the primary's tenant
 * keep the cache. Thread-safe, stateless apart from its runtime.
 */
public final class ReplicaCacheGuard implements LoadEventListener, InitializeCollectionEventListener, AutoFlushEventListener {
    private static final long serialVersionUID = 1L;

    private final transient ReplicationRuntime runtime;

    private ReplicaCacheGuard(ReplicationRuntime runtime) {
        this.runtime = runtime;
    }

    /** Registers the guard first in the listener groups of {@code factory}. */
    public static void install(SessionFactoryImplementor factory, ReplicationRuntime runtime) {
        ReplicaCacheGuard guard = new ReplicaCacheGuard(runtime);
        EventListenerRegistry registry = factory.getServiceRegistry().requireService(EventListenerRegistry.class);
        registry.prependListeners(EventType.LOAD, guard);
        registry.prependListeners(EventType.INIT_COLLECTION, guard);
        registry.prependListeners(EventType.AUTO_FLUSH, guard);
    }

    /** Sets {@link CacheMode#IGNORE} on {@code session}, which the library opened for a read on a replica. */
    public static void ignoreCache(Session session) {
        ignore(session.unwrap(SharedSessionContractImplementor.class), null);
    }

    private void guard(SharedSessionContractImplementor session) {
        if (onReplica(session)) {
            ignore(session, session.getTenantIdentifier());
        }
    }

    /**
     * Whether the session reads on a replica: its tenant is a replica's, or, when Hibernate's tenant
     * is the application's customer ({@code replication.tenancy}), the thread's routing scope
     * resolves to a replica (sessions take their node from it).
     */
    private boolean onReplica(SharedSessionContractImplementor session) {
        if (runtime.config().tenancy().composed()) {
            ScopeStack.Scope scope = ScopeStack.current();
            return scope != null && scope.resolve(runtime).replica();
        }
        String tenant = session.getTenantIdentifier();
        return tenant != null && runtime.isReplicaTenant(tenant);
    }

    private static void ignore(SharedSessionContractImplementor session, String tenant) {
        CacheMode mode = session.getCacheMode();
        if (mode == CacheMode.IGNORE) {
            return;
        }
        if (mode != CacheMode.NORMAL && tenant != null) {
            Log.LOG.replicaCacheModeReset(tenant, mode);
        }
        session.setCacheMode(CacheMode.IGNORE);
    }

    @Override
    public void onLoad(LoadEvent event, LoadType loadType) {
        guard(event.getSession());
    }

    @Override
    public void onInitializeCollection(InitializeCollectionEvent event) {
        guard(event.getSession());
    }

    @Override
    public void onAutoFlush(AutoFlushEvent event) {
        guard(event.getSession());
    }
}
