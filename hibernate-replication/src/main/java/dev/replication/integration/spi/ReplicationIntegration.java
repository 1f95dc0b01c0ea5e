package dev.replication.integration.spi;

import dev.replication.Intent;
import dev.replication.Replication;
import dev.replication.ReplicationConfigurationException;
import dev.replication.RoutingDecision;
import dev.replication.RoutingScope;
import dev.replication.hibernate.ReplicationConnectionProvider;
import dev.replication.internal.Durations;
import dev.replication.internal.Failures;
import dev.replication.internal.Log;
import dev.replication.internal.ReplicationRuntime;
import dev.replication.internal.ScopeStack;
import dev.replication.internal.config.PersistenceXml;
import jakarta.persistence.EntityManagerFactory;
import org.xml.sax.SAXException;

import javax.xml.parsers.ParserConfigurationException;
import java.io.IOException;
import java.time.Duration;
import java.util.List;
import java.util.Optional;

/**
 * An integration's handle on the replication behind one {@link EntityManagerFactory}: the
 * {@link Replication} facade, and the library's translation of failures raised in a routing
 * scope. Also the library's duration syntax, so that annotation attributes and container
 * configuration read durations the way {@code replication.*} keys do.
 * <p>
 * SPI (see the package comment). Thread-safe; obtain one per factory and keep it.
 */
public final class ReplicationIntegration {

    /** What the duration syntax allows, for error messages: "a duration such as 250ms, 2s, 1m or a number of milliseconds". */
    public static final String DURATION_SYNTAX = Durations.ALLOWED;

    private final Replication replication;
    private final ReplicationRuntime runtime;

    private ReplicationIntegration(Replication replication, ReplicationRuntime runtime) {
        this.replication = replication;
        this.runtime = runtime;
    }

    /**
     * The integration handle of {@code emf}.
     *
     * @throws ReplicationConfigurationException when {@code emf} does not use {@link ReplicationConnectionProvider}
     */
    public static ReplicationIntegration of(EntityManagerFactory emf) {
        return new ReplicationIntegration(Replication.of(emf), ReplicationConnectionProvider.runtimeOf(emf));
    }

    /** The programmatic facade over the same factory. */
    public Replication replication() {
        return replication;
    }

    /**
     * The exception to throw for {@code e}, raised by work in a routing scope that resolved to
     * {@code decision} ({@code null} when it had not resolved): a library exception when one is in
     * the chain or applies ({@code PrimaryUnavailableException} for a lost primary connection before
     * commit, {@code TransactionOutcomeUnknownException} for one lost during commit,
     * {@code ReadOnlyViolationException} for a write in a read scope), else {@code e} itself.
     */
    public RuntimeException translateFailure(RuntimeException e, RoutingDecision decision) {
        return Failures.translate(e, decision, runtime);
    }

    /**
     * As {@link #translateFailure}, for a transaction whose commit by a JTA transaction manager
     * failed ({@code e} wraps what the manager threw): a connection to the primary lost once the
     * commit had started gives {@code TransactionOutcomeUnknownException} (one-phase resources report
     * such a failure as a rollback, and managers often attach no cause, so the primary's
     * reachability decides); lost before, {@code PrimaryUnavailableException}.
     *
     * @param reportedRolledBack the manager reported a rollback rather than a heuristic or system error
     */
    public RuntimeException translateCommitFailure(RuntimeException e, RoutingDecision decision,
                                                   boolean reportedRolledBack) {
        return Failures.translateCommit(e, decision, runtime, reportedRolledBack);
    }

    /**
     * Resolves the thread's innermost open routing scope now and returns its decision. Integrations
     * that run transactions call it right after opening the scope and before the transaction
     * begins, so that any probe of a replica happens outside the application's transaction.
     *
     * @throws IllegalStateException when no routing scope is open on this thread
     */
    public RoutingDecision resolveCurrentScope() {
        ScopeStack.Scope scope = ScopeStack.current();
        if (scope == null) {
            throw new IllegalStateException("no routing scope is open on this thread");
        }
        return scope.resolve(runtime);
    }

    /**
     * Opens a routing scope for work that joins a JTA transaction somebody else began (a caller's
     * {@code @Transactional}, a container-managed transaction): it resolves to the primary with
     * {@code PINNED_BY_TRANSACTION}, whatever {@code intent}, and its connection is not made
     * read-only (that would make the caller's transaction read-only). Close it like any scope.
     */
    public static RoutingScope openJoiningScope(Intent intent) {
        return ScopeStack.pushJoined(intent);
    }

    /**
     * Whether a read that failed with {@code e} on {@code node} is retried elsewhere: reads are
     * retried ({@code replication.retry-reads}) and the failure is a lost or refused connection,
     * or any JDBC failure on a node the monitor meanwhile marked down.
     */
    public boolean worthRetrying(Throwable e, String node) {
        return runtime.config().retryReads() && Failures.retryableRead(e, runtime.node(node).orElse(null));
    }

    /**
     * After a read failed on {@code failedNode}: marks it down (the monitor readmits it), publishes
     * the retry, and decides the thread's innermost routing scope again, avoiding it.
     */
    public RoutingDecision rerouteCurrentScope(String failedNode, String reason) {
        runtime.node(failedNode).ifPresent(n -> runtime.markDown(n, "read failed: " + reason));
        Log.LOG.readRetried(failedNode, reason);
        runtime.retried(failedNode, reason);
        return ScopeStack.current().reroute(runtime, failedNode);
    }

    /** Whether {@code node} answers now, on a connection of its own; false for an unknown node. */
    public boolean reachable(String node) {
        return runtime.node(node).map(runtime::reachable).orElse(false);
    }

    /**
     * A connection-failure exception standing for {@code symptom}, which work raised after its
     * connection to {@code node} was lost (the symptom is kept as the cause); such an exception is
     * {@link #worthRetrying worth retrying} for a read.
     */
    public RuntimeException connectionLost(RuntimeException symptom, String node) {
        return runtime.node(node).map(n -> Failures.connectionLost(symptom, n)).orElse(symptom);
    }

    /**
     * The names of every persistence unit in every {@code META-INF/persistence.xml} that
     * {@code loader} sees, in class-path order.
     *
     * @throws ReplicationConfigurationException when a persistence.xml cannot be read or parsed
     */
    public static List<String> persistenceUnitNames(ClassLoader loader) {
        try {
            return PersistenceXml.units(loader).stream().map(u -> u.getAttribute("name")).toList();
        } catch (IOException | SAXException | ParserConfigurationException e) {
            throw new ReplicationConfigurationException("Cannot read META-INF/persistence.xml: " + e.getMessage(), e);
        }
    }

    /**
     * The duration {@code text} denotes in the library's syntax ({@code 250ms}, {@code 2s},
     * {@code 1m}, {@code 1h} or a number of milliseconds), or empty when it is not in that syntax.
     */
    public static Optional<Duration> parseDuration(String text) {
        return Durations.parse(text);
    }
}
