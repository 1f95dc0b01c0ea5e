package dev.replication.quarkus.devservices;

import jakarta.inject.Inject;
import jakarta.ws.rs.GET;
import jakarta.ws.rs.POST;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.PathParam;
import jakarta.ws.rs.Produces;
import jakarta.ws.rs.core.MediaType;
import jakarta.ws.rs.core.Response;

@Path("/items")
@Produces(MediaType.TEXT_PLAIN)
public class ItemResource {

    @Inject
    ItemService items;

    @POST
    public String create(String text) {
        return Long.toString(items.create(text));
    }

    @GET
    @Path("/{id}")
    public Response get(@PathParam("id") long id) {
        Item i = items.find(id);
        return i == null ? Response.status(404).build() : Response.ok(i.text).build();
    }

    @GET
    @Path("/ports/primary")
    public int primaryPort() {
        return items.primaryPort();
    }

    @GET
    @Path("/ports/replica")
    public int replicaPort() {
        return items.replicaPort();
    }
}
