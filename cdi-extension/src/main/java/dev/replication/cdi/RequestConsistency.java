package dev.replication.cdi;

import dev.replication.ConsistencyScope;
import dev.replication.ConsistencyToken;
import jakarta.enterprise.context.RequestScoped;
import jakarta.inject.Inject;

import java.util.Optional;

/**
 * The read-after-write token of the current request. {@link RoutingInterceptor} binds it (as the
 * thread's {@link ConsistencyScope}) around every {@link Primary}/{@link ReadReplica} call made while
 * a request context is active: writes committed in the request advance it, and later reads in the
 * same request go only to replicas that have replayed it (or to the primary). Each request has its
 * own holder; with no active request context the core's per-thread default scope applies.
 * <p>
 * To carry consistency across requests (the client's next request, another service), send
 * {@link #token()} (e.g. in a response header) and call {@link #resume(String)} with it at the
 * start of the next request:
 * <pre>{@code
 * @Inject RequestConsistency consistency;
 * // filter, request in:   consistency.resume(request.getHeader("X-Consistency-Token"));
 * // filter, response out: consistency.token().ifPresent(t -> response.setHeader("X-Consistency-Token", t));
 * }</pre>
 * Thread-safe.
 */
@RequestScoped
public class RequestConsistency {

    private final ConsistencyScope scope = new ConsistencyScope();

    @Inject
    RoutedPersistence persistence;

    /** The request's token in its compact text form ({@code "16/B374D848"}), if the request wrote. */
    public Optional<String> token() {
        return scope.token().map(ConsistencyToken::toString);
    }

    /**
     * Continues from a token received from elsewhere: later reads in this request see at least
     * what it covers. {@code null} or blank is ignored. The token is untrusted: malformed input
     * throws {@link IllegalArgumentException}; a token ahead of the primary is capped to the
     * primary's position. Never moves the request's token backward.
     */
    public void resume(String token) {
        if (token == null || token.isBlank()) {
            return;
        }
        ConsistencyScope resumed = persistence.replication().resume(token);
        resumed.token().ifPresent(scope::advance);
    }

    /** Forgets the request's token. */
    public void clear() {
        scope.clear();
    }

    /** The core scope behind this holder (bind it yourself for work outside annotated calls). */
    public ConsistencyScope scope() {
        return scope;
    }

    @Override
    public String toString() {
        return "RequestConsistency[" + token().orElse("no token") + "]";
    }
}
