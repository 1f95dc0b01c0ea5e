package dev.replication.it.wildfly.app;

import dev.replication.cdi.RequestConsistency;
import jakarta.annotation.Priority;
import jakarta.inject.Inject;
import jakarta.ws.rs.Priorities;
import jakarta.ws.rs.container.ContainerRequestContext;
import jakarta.ws.rs.container.ContainerRequestFilter;
import jakarta.ws.rs.container.ContainerResponseContext;
import jakarta.ws.rs.container.ContainerResponseFilter;
import jakarta.ws.rs.ext.Provider;

import java.util.logging.Level;
import java.util.logging.Logger;

/**
 * Read-your-writes across requests, in plain Jakarta REST (the library ships such a filter for Quarkus only): the
 * request resumes the token the client sends back in {@value #HEADER}, the response carries the request's token
 * (resumed or advanced by its writes). A client's token is untrusted: too long or malformed, it is ignored.
 */
@Provider
@Priority(Priorities.HEADER_DECORATOR)
public class ConsistencyHeaders implements ContainerRequestFilter, ContainerResponseFilter {

    public static final String HEADER = "X-Consistency-Token";
    private static final Logger LOG = Logger.getLogger(ConsistencyHeaders.class.getName());

    @Inject
    RequestConsistency consistency;

    @Override
    public void filter(ContainerRequestContext request) {
        String token = request.getHeaderString(HEADER);
        if (token == null || token.isBlank()) {
            return;
        }
        if (token.length() > 64) {
            LOG.warning("ignored a consistency token of " + token.length() + " characters");
            return;
        }
        try {
            consistency.resume(token.trim());
        } catch (IllegalArgumentException e) {
            LOG.log(Level.WARNING, "ignored a malformed consistency token");
        }
    }

    @Override
    public void filter(ContainerRequestContext request, ContainerResponseContext response) {
        consistency.token().ifPresent(t -> response.getHeaders().putSingle(HEADER, t));
    }
}
