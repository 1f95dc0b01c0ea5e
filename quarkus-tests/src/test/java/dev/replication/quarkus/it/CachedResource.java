package dev.replication.quarkus.it;

import jakarta.inject.Inject;
import jakarta.ws.rs.DELETE;
import jakarta.ws.rs.GET;
import jakarta.ws.rs.POST;
import jakarta.ws.rs.PUT;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.PathParam;
import jakarta.ws.rs.Produces;
import jakarta.ws.rs.QueryParam;
import jakarta.ws.rs.core.MediaType;
import jakarta.ws.rs.core.Response;

import java.util.List;

/**
 * HTTP endpoints over second-level-cached data. Every GET answers the server port its read ran on in
 * header {@value #PORT}; lists are one value a line.
 */
@Path("/cached")
@Produces(MediaType.TEXT_PLAIN)
public class CachedResource {

    public static final String PORT = "X-Served-By-Port";

    @Inject
    CachedService service;

    @POST
    @Path("/rows")
    public String insert(@QueryParam("category") String category, String value) {
        return Long.toString(service.insert(value, category == null ? "none" : category));
    }

    @PUT
    @Path("/rows/{id}")
    public Response update(@PathParam("id") long id, String value) {
        return Response.status(service.update(id, value) ? 204 : 404).build();
    }

    @DELETE
    @Path("/rows/{id}")
    public Response delete(@PathParam("id") long id) {
        return Response.status(service.delete(id) ? 204 : 404).build();
    }

    @GET
    @Path("/rows/{id}")
    public Response get(@PathParam("id") long id) {
        CachedService.Read<String> r = service.value(id);
        return (r.value() == null ? Response.status(404) : Response.ok(r.value())).header(PORT, r.port()).build();
    }

    @GET
    @Path("/categories/{category}")
    public Response category(@PathParam("category") String category, @QueryParam("panache") boolean panache) {
        return list(panache ? service.valuesInCategoryPanache(category) : service.valuesInCategory(category));
    }

    @POST
    @Path("/shelves")
    public String newShelf(String name) {
        return Long.toString(service.newShelf(name));
    }

    @POST
    @Path("/shelves/{id}/entries")
    public Response addEntry(@PathParam("id") long id, String title) {
        return Response.status(service.addEntry(id, title) ? 204 : 404).build();
    }

    @GET
    @Path("/shelves/{id}/entries")
    public Response entries(@PathParam("id") long id) {
        return list(service.entries(id));
    }

    private static Response list(CachedService.Read<List<String>> r) {
        return (r.value() == null ? Response.status(404) : Response.ok(String.join("\n", r.value())))
                .header(PORT, r.port()).build();
    }
}
