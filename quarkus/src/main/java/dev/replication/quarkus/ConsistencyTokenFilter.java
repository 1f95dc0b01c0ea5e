package dev.replication.quarkus;

import dev.replication.cdi.RequestConsistency;
import dev.replication.quarkus.internal.QuarkusLog;
import dev.replication.quarkus.internal.QuarkusSettings;
import jakarta.annotation.PostConstruct;
import jakarta.annotation.Priority;
import jakarta.inject.Inject;
import jakarta.ws.rs.Priorities;
import jakarta.ws.rs.container.ContainerRequestContext;
import jakarta.ws.rs.container.ContainerRequestFilter;
import jakarta.ws.rs.container.ContainerResponseContext;
import jakarta.ws.rs.container.ContainerResponseFilter;
import jakarta.ws.rs.core.Cookie;
import jakarta.ws.rs.core.NewCookie;
import jakarta.ws.rs.ext.Provider;
import org.eclipse.microprofile.config.ConfigProvider;

import java.util.concurrent.atomic.AtomicLong;

/**
 * Read-your-writes across HTTP requests, with standard Jakarta REST filters (portable to any
 * Jakarta REST implementation with CDI): a request resumes the consistency token the client sends
 * back (response header {@code X-Consistency-Token} by default, {@code replication.http.header}; and, when
 * {@code replication.http.cookie} names one, a cookie), so its {@code @ReadReplica} reads see at
 * least what the client's earlier requests wrote; the response hands the request's token (resumed
 * or advanced by its writes) back in the same header and cookie.
 * <p>
 * Client tokens are untrusted: longer than {@value #MAX_TOKEN_LENGTH} characters or malformed, a
 * token is ignored with a warning (rate-limited), never a failure of the request; a token ahead of
 * the primary is capped to the primary's position when a read uses it. The cookie is
 * {@code HttpOnly}, {@code SameSite=Lax}, path {@code /}, and {@code Secure} on HTTPS requests.
 * Thread-safe.
 */
@Provider
@Priority(Priorities.HEADER_DECORATOR)
public class ConsistencyTokenFilter implements ContainerRequestFilter, ContainerResponseFilter {

    /** Longest token accepted from a client; the longest valid one has 17 characters. */
    public static final int MAX_TOKEN_LENGTH = 64;
    private static final long WARN_EVERY_NANOS = 10_000_000_000L;

    private final AtomicLong lastWarning = new AtomicLong(System.nanoTime() - WARN_EVERY_NANOS);

    @Inject
    RequestConsistency consistency;

    private QuarkusSettings.HttpSettings settings;

    @PostConstruct
    void init() {
        settings = QuarkusSettings.http(ConfigProvider.getConfig());
    }

    private QuarkusSettings.HttpSettings settings() {
        QuarkusSettings.HttpSettings s = settings;
        if (s == null) {
            s = QuarkusSettings.http(ConfigProvider.getConfig());
            settings = s;
        }
        return s;
    }

    @Override
    public void filter(ContainerRequestContext request) {
        QuarkusSettings.HttpSettings s = settings();
        resume("header " + s.header(), request.getHeaderString(s.header()));
        s.cookie().ifPresent(name -> {
            Cookie c = request.getCookies().get(name);
            if (c != null) {
                resume("cookie " + name, c.getValue());
            }
        });
    }

    @Override
    public void filter(ContainerRequestContext request, ContainerResponseContext response) {
        QuarkusSettings.HttpSettings s = settings();
        consistency.token().ifPresent(token -> {
            response.getHeaders().putSingle(s.header(), token);
            s.cookie().ifPresent(name -> response.getHeaders().add("Set-Cookie", new NewCookie.Builder(name)
                    .value(token).path("/").httpOnly(true).sameSite(NewCookie.SameSite.LAX)
                    .secure(request.getSecurityContext() != null && request.getSecurityContext().isSecure())
                    .build()));
        });
    }

    private void resume(String where, String value) {
        if (value == null || value.isBlank()) {
            return;
        }
        if (value.length() > MAX_TOKEN_LENGTH) {
            ignored(where, value, "longer than " + MAX_TOKEN_LENGTH + " characters");
            return;
        }
        try {
            consistency.resume(value.trim());
        } catch (IllegalArgumentException e) {
            ignored(where, value, "not a consistency token");
        } catch (RuntimeException e) {
            ignored(where, value, e.getClass().getSimpleName() + ": " + e.getMessage());
        }
    }

    private void ignored(String where, String value, String reason) {
        String start = printable(value.substring(0, Math.min(16, value.length())));
        long now = System.nanoTime();
        long last = lastWarning.get();
        if (now - last >= WARN_EVERY_NANOS && lastWarning.compareAndSet(last, now)) {
            QuarkusLog.LOG.ignoredToken(where, value.length(), start, reason);
        } else {
            QuarkusLog.LOG.ignoredTokenAgain(where, value.length(), start, reason);
        }
    }

    private static String printable(String s) {
        StringBuilder b = new StringBuilder(s.length());
        for (int i = 0; i < s.length(); i++) {
            char c = s.charAt(i);
            b.append(c >= 0x20 && c < 0x7f && c != '\'' ? c : '?');
        }
        return b.toString();
    }
}
