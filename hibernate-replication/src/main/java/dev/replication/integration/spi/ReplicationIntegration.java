package dev.replication.integration.spi;

import dev.replication.Replication;
import dev.replication.ReplicationConfigurationException;
import dev.replication.RoutingDecision;
import dev.replication.hibernate.ReplicationConnectionProvider;
import dev.replication.internal.Durations;
import dev.replication.internal.Failures;
import dev.replication.internal.ReplicationRuntime;
import jakarta.persistence.EntityManagerFactory;

import java.time.Duration;
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
     * The duration {@code text} denotes in the library's syntax ({@code 250ms}, {@code 2s},
     * {@code 1m}, {@code 1h} or a number of milliseconds), or empty when it is not in that syntax.
     */
    public static Optional<Duration> parseDuration(String text) {
        return Durations.parse(text);
    }
}
