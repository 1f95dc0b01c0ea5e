package dev.replication.hibernate;

import dev.replication.Intent;
import dev.replication.ReplicationConfig;
import dev.replication.ReplicationConfigurationException;
import dev.replication.ReplicationException;
import dev.replication.RoutingDecision;
import dev.replication.RoutingOptions;
import dev.replication.hibernate.internal.CustomerTenancy;
import dev.replication.hibernate.internal.UnitSettings;
import dev.replication.internal.JtaCommits;
import dev.replication.internal.Log;
import dev.replication.internal.Node;
import dev.replication.internal.ReplicationRuntime;
import dev.replication.internal.ScopeStack;
import dev.replication.internal.connection.TransactionStates;
import dev.replication.internal.config.Placeholders;
import jakarta.persistence.EntityManagerFactory;
import jakarta.transaction.TransactionManager;
import org.hibernate.engine.jdbc.connections.spi.MultiTenantConnectionProvider;
import org.hibernate.engine.spi.SessionFactoryImplementor;
import org.hibernate.engine.transaction.jta.platform.spi.JtaPlatform;
import org.hibernate.resource.transaction.spi.TransactionCoordinatorBuilder;
import org.hibernate.service.UnknownUnwrapTypeException;
import org.hibernate.service.spi.Configurable;
import org.hibernate.service.spi.ServiceRegistryAwareService;
import org.hibernate.service.spi.ServiceRegistryImplementor;
import org.hibernate.service.spi.Stoppable;

import java.sql.Connection;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.Map;

// Over ~300 lines: Hibernate's connection-provider SPI (any, tenant and read-only connections) for both tenancies
// (tenants = nodes, and the application's customers on the scope's node); the unit-settings checks and the
// customer's schema or database are in UnitSettings and CustomerTenancy.
/**
 * Hibernate's {@link MultiTenantConnectionProvider} over a PostgreSQL primary and its replicas.
 * Tenant {@code primary} (see {@code replication.primary.name}) is always the current primary,
 * whichever node that is after a failover; every replica name is a tenant served by that
 * replica's pool, read-only. {@link #getAnyConnection()} is the primary (schema tooling,
 * metadata), or while the primary gives no connection a replica, read-only: Hibernate reads its
 * JDBC metadata at boot through it, so an application starts during a primary outage (writes then
 * fail with {@code PrimaryUnavailableException} until the primary is back). When Hibernate needs
 * that metadata (no {@code hibernate.dialect} set) and no node gives a connection, startup fails
 * with a message naming each node and its server's answer, instead of Hibernate's "Unable to
 * determine Dialect without JDBC metadata". Sessions opened with {@code withOptions().readOnly(true)} outside a routing scope
 * are served by a replica chosen by the selector ({@code replication.read-only-sessions}) — unless
 * the second-level cache is on: such a session has the primary's tenant, so what it loaded from a
 * lagging replica would be cached as the primary's data; it then reads on the primary (a READ
 * scope, whose replica tenant bypasses the cache, is the way to reach replicas).
 * <p>
 * Configure in persistence.xml with {@code hibernate.multi_tenant_connection_provider} set to
 * this class and {@code hibernate.tenant_identifier_resolver} set to
 * {@link ReplicationTenantResolver}. Thread-safe.
 */
public class ReplicationConnectionProvider implements MultiTenantConnectionProvider<String>, Configurable, Stoppable,
        ServiceRegistryAwareService {
    private static final long serialVersionUID = 1L;

    private static final String DIALECT = UnitSettings.DIALECT;

    private transient ReplicationRuntime runtime;
    private transient ServiceRegistryImplementor services;
    /** Set for a JTA unit: tokens and commit outcomes of transactions the transaction manager commits. */
    private transient JtaCommits jtaCommits;
    private transient CustomerTenancy tenancy;

    /** For Hibernate, which instantiates the provider by class name and then calls {@link #configure}. */
    public ReplicationConnectionProvider() {
    }

    /** For programmatic bootstrap with an already validated configuration. */
    public ReplicationConnectionProvider(ReplicationConfig config) {
        this.runtime = new ReplicationRuntime(config);
        this.tenancy = new CustomerTenancy(config);
    }

    @Override
    public void injectServices(ServiceRegistryImplementor serviceRegistry) {
        this.services = serviceRegistry;
    }

    @Override
    public void configure(Map<String, Object> settings) {
        if (runtime == null) {
            Placeholders.check(settings);
            runtime = new ReplicationRuntime(ReplicationConfig.fromProperties(UnitSettings.withoutForeignSystemProperties(settings)));
            tenancy = new CustomerTenancy(runtime.config());
        }
        if (services != null && services.requireService(TransactionCoordinatorBuilder.class).isJta()) {
            JtaPlatform platform = services.requireService(JtaPlatform.class);
            TransactionManager tm = platform.retrieveTransactionManager();
            if (tm != null) {
                jtaCommits = new JtaCommits(runtime, tm, platform::registerSynchronization);
                runtime.useJta(jtaCommits);
            }
        }
        if (UnitSettings.needsJdbcMetadata(settings)) {
            checkAnyConnection();
        }
    }

    /** Fails startup with the nodes' own failures when Hibernate would fail for want of metadata. */
    private void checkAnyConnection() {
        try {
            getAnyConnection().close();
        } catch (SQLException e) {
            ReplicationRuntime failed = runtime;
            runtime = null;
            failed.close();
            throw new ReplicationException("Hibernate reads JDBC metadata at boot ('" + DIALECT + "' is not set), and "
                    + Character.toLowerCase(e.getMessage().charAt(0)) + e.getMessage().substring(1)
                    + ". Check the URLs and credentials; to start while no node is reachable, set '" + DIALECT + "'", e);
        }
    }

    /**
     * Whether the session factory's tenant resolver is not {@link ReplicationTenantResolver} but one
     * that answers with {@link #currentTenant()} (a container's resolver contract, such as Quarkus'
     * {@code TenantResolver}). False here: startup then fails when another resolver is configured.
     * Subclasses for such containers return true.
     */
    protected boolean tenantsResolvedElsewhere() {
        return false;
    }

    /**
     * The tenant a session opened now on this thread must have: the node the thread's innermost
     * routing scope resolves to, or the primary's tenant when no scope is open. The answer of
     * {@link ReplicationTenantResolver}, for containers that resolve tenants themselves.
     */
    public String currentTenant() {
        ReplicationRuntime rt = runtime();
        ScopeStack.Scope scope = ScopeStack.current();
        return scope == null ? rt.primaryTenant() : scope.resolve(rt).tenant();
    }

    /**
     * True for the tenant of a replica: sessions with it bypass the second-level cache (a
     * container's resolver reports such tenants as "root", see {@link ReplicationTenantResolver}).
     */
    public boolean isReplicaTenant(String tenant) {
        return runtime().isReplicaTenant(tenant);
    }

    /** The runtime behind this provider. */
    public ReplicationRuntime runtime() {
        if (runtime == null) {
            throw new ReplicationException("ReplicationConnectionProvider used before configure()");
        }
        return runtime;
    }

    /**
     * The runtime behind {@code emf}.
     *
     * @throws ReplicationConfigurationException when {@code emf} does not use this provider
     */
    public static ReplicationRuntime runtimeOf(EntityManagerFactory emf) {
        SessionFactoryImplementor sf = emf.unwrap(SessionFactoryImplementor.class);
        MultiTenantConnectionProvider<?> mtcp = sf.getServiceRegistry().getService(MultiTenantConnectionProvider.class);
        if (mtcp instanceof ReplicationConnectionProvider p) {
            return p.runtime();
        }
        throw new ReplicationConfigurationException("Invalid value '" + (mtcp == null ? null : mtcp.getClass().getName())
                + "' for 'hibernate.multi_tenant_connection_provider': expected "
                + ReplicationConnectionProvider.class.getName());
    }

    @Override
    public Connection getAnyConnection() throws SQLException {
        Connection c = runtime.anyConnection();
        if (tenancy.composed()) {
            tenancy.reset(c, insideJta());
        }
        return c;
    }

    @Override
    public void releaseAnyConnection(Connection connection) throws SQLException {
        connection.close();
    }

    /**
     * The connection of a session with tenant {@code tenant}: with {@code replication.tenancy=none}
     * the tenant is the node; otherwise it is the application's customer, the node is the thread's
     * routing scope's (the primary without one), and the customer's schema or database is applied.
     */
    @Override
    public Connection getConnection(String tenant) throws SQLException {
        if (!tenancy.composed()) {
            return nodeConnection(tenant, null);
        }
        return tenancy.enter(nodeConnection(currentTenant(), tenancy.database(tenant)), tenant, insideJta());
    }

    private Connection nodeConnection(String tenant, String database) throws SQLException {
        if (!runtime.isReplicaTenant(tenant)) {
            ScopeStack.Scope scope = ScopeStack.current();
            if (scope == null) {
                runtime.publishedNoScope(Intent.WRITE);
            } else if (scope.intent() != Intent.WRITE && !scope.joined()) {
                // a read on the primary (READ_STRONG, a fallback, the primary's share of reads):
                // read-only like a replica read, so a write in a read scope fails the same way everywhere
                Connection c = wrap(runtime.primaryConnection(database), runtime.primary(), false);
                readOnly(c);
                return c;
            }
            boolean capture = captureTokens();
            Connection c = wrap(runtime.primaryConnection(database), runtime.primary(), capture);
            if (jtaCommits != null && jtaCommits.transactionActive()) {
                if (TransactionStates.of(c) == TransactionStates.State.UNKNOWN) {
                    jtaCommits.firstConnectionOfTransaction();
                }
                if (capture) {
                    jtaCommits.writeConnectionTaken();
                }
            }
            return c;
        }
        return replicaConnection(tenant, database);
    }

    // Hibernate 7.2+ (read-only sessions); not part of the interface on 6.6 and 7.1
    public Connection getReadOnlyConnection(String tenant) throws SQLException {
        if (!tenancy.composed()) {
            return nodeReadOnlyConnection(tenant, null);
        }
        String node = ScopeStack.current() == null ? runtime.primaryTenant() : currentTenant();
        return tenancy.enter(nodeReadOnlyConnection(node, tenancy.database(tenant)), tenant, insideJta());
    }

    private Connection nodeReadOnlyConnection(String tenant, String database) throws SQLException {
        if (!runtime.isReplicaTenant(tenant)) {
            if (runtime.config().readOnlySessionsOnReplica() && ScopeStack.current() == null
                    && !runtime.secondLevelCacheGuard()) {
                RoutingDecision d = runtime.router().route(Intent.READ, RoutingOptions.DEFAULT, null);
                runtime.published(d);
                if (d.replica()) {
                    return replicaConnection(d.tenant(), database);
                }
            }
            if (ScopeStack.current() == null && !runtime.config().readOnlySessionsOnReplica()) {
                runtime.publishedNoScope(Intent.READ);
            }
            Connection c = wrap(runtime.primaryConnection(database), runtime.primary(), false);
            readOnly(c);
            return c;
        }
        return replicaConnection(tenant, database);
    }

    // Hibernate 7.2+ (read-only sessions); not part of the interface on 6.6 and 7.1
    public void releaseReadOnlyConnection(String tenant, Connection connection) throws SQLException {
        release(connection);
    }

    @Override
    public void releaseConnection(String tenant, Connection connection) throws SQLException {
        release(connection);
    }

    private void release(Connection connection) throws SQLException {
        try {
            if (tenancy.composed()) {
                tenancy.reset(connection, insideJta());
            }
        } finally {
            connection.close();
        }
    }

    private boolean insideJta() {
        return jtaCommits != null && jtaCommits.transactionActive();
    }

    private Connection replicaConnection(String tenant, String database) throws SQLException {
        Node node = runtime.nodeForTenant(tenant);
        Connection c;
        try {
            c = wrap(runtime.borrow(node, database), node, false);
        } catch (SQLException e) {
            if (!runtime.config().retryReads()) {
                throw e;
            }
            String reason = "no connection: " + e.getMessage();
            runtime.markDown(node, reason);
            Log.LOG.readRetried(node.name(), reason);
            runtime.retried(node.name(), reason);
            ScopeStack.Scope scope = ScopeStack.current();
            RoutingDecision d = scope != null && scope.intent() == Intent.READ
                    ? scope.reroute(runtime, node.name())
                    : runtime.router().route(Intent.READ, RoutingOptions.DEFAULT, node.name());
            Node other = runtime.nodeForTenant(d.tenant());
            c = wrap(other == runtime.primary() ? runtime.primaryConnection(database) : runtime.borrow(other, database),
                    other, false);
        }
        readOnly(c);
        return c;
    }

    /**
     * Makes a read's connection read-only. Inside a JTA transaction a pool that enlists
     * connections may refuse {@code setReadOnly} (Agroal does), so the transaction itself is made
     * read-only when it starts on this connection; a connection already inside a transaction (a
     * read joining a caller's transaction) is left as it is. Where the pool hides pgjdbc's connection
     * (WildFly's IronJacamar), the first connection the library takes in a JTA transaction counts as
     * one whose transaction starts here.
     */
    private void readOnly(Connection c) throws SQLException {
        if (jtaCommits == null || !jtaCommits.transactionActive()) {
            c.setReadOnly(true);
            return;
        }
        TransactionStates.State state = TransactionStates.of(c);
        if (state == TransactionStates.State.IDLE
                || (state == TransactionStates.State.UNKNOWN && jtaCommits.firstConnectionOfTransaction())) {
            try (Statement st = c.createStatement()) {
                st.execute("SET TRANSACTION READ ONLY");
            }
        }
    }

    private boolean captureTokens() {
        return runtime.config().consistency() != ReplicationConfig.ConsistencyMode.OFF && runtime.mayHaveReplicas();
    }

    private Connection wrap(Connection c, Node node, boolean capture) {
        return runtime.wrap(c, node, capture);
    }

    @Override
    public boolean supportsAggressiveRelease() {
        return false;
    }

    // Hibernate 7.2+ (read-only sessions); not part of the interface on 6.6 and 7.1
    public boolean handlesConnectionReadOnly() {
        return true;
    }

    @Override
    public boolean isUnwrappableAs(Class<?> type) {
        return type.isInstance(this) || type == ReplicationRuntime.class;
    }

    @Override
    public <T> T unwrap(Class<T> type) {
        if (type.isInstance(this)) {
            return type.cast(this);
        }
        if (type == ReplicationRuntime.class) {
            return type.cast(runtime());
        }
        throw new UnknownUnwrapTypeException(type);
    }

    @Override
    public void stop() {
        if (runtime != null) {
            runtime.close();
        }
    }
}
