package dev.replication.it.wildfly.app;

import jakarta.enterprise.context.RequestScoped;
import jakarta.inject.Inject;
import jakarta.ws.rs.Consumes;
import jakarta.ws.rs.GET;
import jakarta.ws.rs.POST;
import jakarta.ws.rs.PUT;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.PathParam;
import jakarta.ws.rs.Produces;
import jakarta.ws.rs.QueryParam;
import jakarta.ws.rs.core.MediaType;
import jakarta.ws.rs.core.Response;

/**
 * Rows over HTTP: writes on {@code @Primary} methods, reads on {@code @ReadReplica} ones. A read answers the value
 * (404 when the row is absent there) and, in header {@value #PORT}, the server port it ran on.
 */
@Path("/items")
@RequestScoped
@Produces(MediaType.TEXT_PLAIN)
@Consumes(MediaType.TEXT_PLAIN)
public class ItemsResource {

    public static final String PORT = "X-Server-Port";
    /** The row's value in the table of the server the read ran on (the read's value may come from the 2LC). */
    public static final String DB_VALUE = "X-Db-Value";
    /** The reading session's tenant and cache mode ({@code replica1/IGNORE}). */
    public static final String SESSION = "X-Session";
    /** The WAL position of the server the read ran on, then (replayed on a standby). */
    public static final String LSN = "X-Server-Lsn";

    @Inject
    Catalog catalog;

    @POST
    public String insert(String value) {
        return Long.toString(catalog.insert(value));
    }

    @PUT
    @Path("/{id}")
    public void update(@PathParam("id") long id, String value) {
        catalog.update(id, value);
    }

    @GET
    @Path("/{id}")
    public Response read(@PathParam("id") long id) {
        Row r = catalog.find(id);
        return (r.value() == null ? Response.status(404) : Response.ok(r.value())).header(PORT, r.port())
                .header(DB_VALUE, r.dbValue()).header(SESSION, r.session()).header(LSN, r.lsn()).build();
    }

    /**
     * Read-your-writes inside one request: {@code cycles} times insert then read, update then read. Answers
     * {@code reads|stale|onReplicas} given the replicas' ports.
     */
    @POST
    @Path("/roundtrips")
    public String roundtrips(@QueryParam("cycles") int cycles, @QueryParam("replicaPorts") String replicaPorts) {
        java.util.Set<Integer> replicas = new java.util.HashSet<>();
        for (String p : replicaPorts.split(",")) {
            replicas.add(Integer.parseInt(p.trim()));
        }
        int reads = 0;
        int stale = 0;
        int onReplicas = 0;
        for (int i = 0; i < cycles; i++) {
            long id = catalog.insert("r" + i);
            Row r = catalog.find(id);
            reads++;
            stale += ("r" + i).equals(r.value()) ? 0 : 1;
            onReplicas += replicas.contains(r.port()) ? 1 : 0;
            catalog.update(id, "s" + i);
            r = catalog.find(id);
            reads++;
            stale += ("s" + i).equals(r.value()) ? 0 : 1;
            onReplicas += replicas.contains(r.port()) ? 1 : 0;
        }
        return reads + "|" + stale + "|" + onReplicas;
    }
}
