package dev.replication.quarkus.test;

import dev.replication.ConsistencyToken;
import io.restassured.filter.Filter;
import io.restassured.filter.FilterContext;
import io.restassured.response.Response;
import io.restassured.specification.FilterableRequestSpecification;
import io.restassured.specification.FilterableResponseSpecification;

import java.util.Optional;
import java.util.concurrent.atomic.AtomicReference;

/**
 * For tests: a RestAssured {@link Filter} that acts as one client carrying its read-your-writes token
 * from request to request, as a browser or service client of the application would. It sends the
 * token it holds in the {@code X-Consistency-Token} header (or the header given to the constructor,
 * the application's {@code replication.http.header}) and keeps the token each response returns, so a
 * test that writes and then reads its write on a {@code @ReadReplica} endpoint does not read a
 * replica that has not replayed the write yet:
 * <pre>{@code
 * ConsistencyTokenCarrier client = new ConsistencyTokenCarrier();
 * String id = given().filter(client).body("Dune").post("/books").then().extract().asString();
 * given().filter(client).get("/books/" + id).then().statusCode(200);    // sees the write
 * }</pre>
 * Or for every request of a test class: {@code RestAssured.filters(client)} in {@code @BeforeEach} and
 * {@code RestAssured.reset()} (or {@link #reset()}) in {@code @AfterEach}.
 * <p>
 * One instance is one client. Its token only moves forward (a response with an older token, from a
 * request that ran concurrently, does not replace a newer one). A request that sets the header itself
 * keeps its own value. This is a test helper: RestAssured is an optional dependency of this module
 * ({@code provided}), so this class exists only on class paths that have RestAssured, such as a
 * {@code @QuarkusTest}'s. Thread-safe.
 */
public final class ConsistencyTokenCarrier implements Filter {

    /** The header the library's response filter uses unless {@code replication.http.header} names another. */
    public static final String DEFAULT_HEADER = "X-Consistency-Token";

    private final String header;
    private final AtomicReference<String> token = new AtomicReference<>();

    /** A client with no token yet, carrying {@value #DEFAULT_HEADER}. */
    public ConsistencyTokenCarrier() {
        this(DEFAULT_HEADER);
    }

    /**
     * A client with no token yet, carrying {@code header} (the application's {@code replication.http.header}).
     *
     * @throws IllegalArgumentException when {@code header} is null or blank
     */
    public ConsistencyTokenCarrier(String header) {
        if (header == null || header.isBlank()) {
            throw new IllegalArgumentException("Invalid header name '" + header + "': expected the application's"
                    + " replication.http.header (default " + DEFAULT_HEADER + ")");
        }
        this.header = header.trim();
    }

    /** A client starting from {@code token} (one received elsewhere, e.g. by another client), on {@value #DEFAULT_HEADER}. */
    public static ConsistencyTokenCarrier startingFrom(String token) {
        ConsistencyTokenCarrier c = new ConsistencyTokenCarrier();
        c.resume(token);
        return c;
    }

    @Override
    public Response filter(FilterableRequestSpecification request, FilterableResponseSpecification response,
                           FilterContext context) {
        String current = token.get();
        if (current != null && !request.getHeaders().hasHeaderWithName(header)) {
            request.header(header, current);
        }
        Response r = context.next(request, response);
        resume(r.getHeader(header));
        return r;
    }

    /** The token this client holds, if a response gave it one. */
    public Optional<String> token() {
        return Optional.ofNullable(token.get());
    }

    /** Continues from {@code received} (null or blank is ignored); never moves the token backward. */
    public void resume(String received) {
        if (received == null || received.isBlank()) {
            return;
        }
        token.accumulateAndGet(received.trim(), ConsistencyTokenCarrier::later);
    }

    /** Forgets the token: the next request is sent as by a new client. */
    public void reset() {
        token.set(null);
    }

    /** The header this client carries. */
    public String header() {
        return header;
    }

    /** The later of two tokens; an unparsable one (the server hands back only valid ones) is taken as it is. */
    static String later(String held, String received) {
        if (held == null) {
            return received;
        }
        try {
            return ConsistencyToken.parse(received).compareTo(ConsistencyToken.parse(held)) >= 0 ? received : held;
        } catch (IllegalArgumentException e) {
            return received;
        }
    }

    @Override
    public String toString() {
        return "ConsistencyTokenCarrier[" + header + ": " + token().orElse("no token") + "]";
    }
}
