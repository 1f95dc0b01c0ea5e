package dev.replication.it.wildfly.app;

import dev.replication.ReplicationException;
import jakarta.ws.rs.WebApplicationException;
import jakarta.ws.rs.core.MediaType;
import jakarta.ws.rs.core.Response;
import jakarta.ws.rs.ext.ExceptionMapper;
import jakarta.ws.rs.ext.Provider;

/**
 * A failure as the client sees it: 503 with header {@value #HEADER} naming the library's exception when one is in the
 * cause chain (an EJB wraps it in an EJBException), else 500 naming the outermost exception.
 */
@Provider
public class Failures implements ExceptionMapper<Exception> {

    public static final String HEADER = "X-Failure";

    @Override
    public Response toResponse(Exception e) {
        if (e instanceof WebApplicationException w) {
            return w.getResponse();
        }
        Throwable library = libraryCause(e);
        Throwable reported = library == null ? e : library;
        return Response.status(library == null ? 500 : 503)
                .header(HEADER, reported.getClass().getSimpleName())
                .type(MediaType.TEXT_PLAIN_TYPE)
                .entity(reported.getClass().getName() + ": " + reported.getMessage())
                .build();
    }

    static Throwable libraryCause(Throwable e) {
        for (Throwable t = e; t != null; t = t.getCause() == t ? null : t.getCause()) {
            if (t instanceof ReplicationException) {
                return t;
            }
        }
        return null;
    }

    /** The exception classes of the chain, outermost first: {@code EJBException>IllegalStateException}. */
    static String chain(Throwable e) {
        StringBuilder b = new StringBuilder();
        for (Throwable t = e; t != null; t = t.getCause() == t ? null : t.getCause()) {
            if (b.length() > 0) {
                b.append('>');
            }
            b.append(t.getClass().getSimpleName());
        }
        return b.toString();
    }
}
