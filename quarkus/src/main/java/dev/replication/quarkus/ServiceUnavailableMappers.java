package dev.replication.quarkus;

import dev.replication.ConsistencyTimeoutException;
import dev.replication.NoReplicaAvailableException;
import dev.replication.PrimaryUnavailableException;
import dev.replication.ReplicationException;
import dev.replication.quarkus.internal.QuarkusSettings;
import jakarta.annotation.Priority;
import jakarta.ws.rs.Priorities;
import jakarta.ws.rs.core.HttpHeaders;
import jakarta.ws.rs.core.MediaType;
import jakarta.ws.rs.core.Response;
import jakarta.ws.rs.ext.ExceptionMapper;
import jakarta.ws.rs.ext.Provider;
import org.eclipse.microprofile.config.ConfigProvider;

/**
 * HTTP answers for the library's exceptions that mean "the database cannot serve this now, try again shortly": {@code 503
 * Service Unavailable} with {@code Retry-After} ({@code replication.http.retry-after} seconds, default 2) and a short
 * plain-text body that names no node (the library logs the details). Standard Jakarta REST exception mappers:
 * <ul>
 * <li>{@link PrimaryUnavailableException}: no primary takes writes (down, promotion in progress, or fenced);</li>
 * <li>{@link NoReplicaAvailableException}: a read that must stay on a replica found none usable;</li>
 * <li>{@link ConsistencyTimeoutException}: no node had the client's write within the wait.</li>
 * </ul>
 * The other exceptions keep the application's (or Quarkus') handling, a 500: {@code TransactionOutcomeUnknownException}
 * (the write may have committed: a client must check before retrying, so no {@code Retry-After}),
 * {@code ReadOnlyViolationException} (a write inside {@code @ReadReplica}: a bug to fix),
 * {@code ReplicationConfigurationException}. The mappers have a priority below the default ({@code USER + 100}), so an
 * application's own mapper for the same exception type wins.
 */
public final class ServiceUnavailableMappers {

    private ServiceUnavailableMappers() {
    }

    /** The 503 answer for {@code e}. */
    static Response serviceUnavailable(ReplicationException e, String reason) {
        int seconds = QuarkusSettings.http(ConfigProvider.getConfig()).retryAfterSeconds();
        return Response.status(Response.Status.SERVICE_UNAVAILABLE)
                .header(HttpHeaders.RETRY_AFTER, Integer.toString(seconds))
                .type(MediaType.TEXT_PLAIN_TYPE)
                .entity("Service unavailable: " + reason + "; retry after " + seconds + " s\n")
                .build();
    }

    /** {@link PrimaryUnavailableException} as 503 with {@code Retry-After}. */
    @Provider
    @Priority(Priorities.USER + 100)
    public static final class PrimaryUnavailable implements ExceptionMapper<PrimaryUnavailableException> {
        @Override
        public Response toResponse(PrimaryUnavailableException e) {
            return serviceUnavailable(e, "no primary database takes writes right now");
        }
    }

    /** {@link NoReplicaAvailableException} as 503 with {@code Retry-After}. */
    @Provider
    @Priority(Priorities.USER + 100)
    public static final class NoReplicaAvailable implements ExceptionMapper<NoReplicaAvailableException> {
        @Override
        public Response toResponse(NoReplicaAvailableException e) {
            return serviceUnavailable(e, "no read replica is available right now");
        }
    }

    /** {@link ConsistencyTimeoutException} as 503 with {@code Retry-After}. */
    @Provider
    @Priority(Priorities.USER + 100)
    public static final class ConsistencyTimeout implements ExceptionMapper<ConsistencyTimeoutException> {
        @Override
        public Response toResponse(ConsistencyTimeoutException e) {
            return serviceUnavailable(e, "no database node has caught up with the client's earlier writes yet");
        }
    }
}
