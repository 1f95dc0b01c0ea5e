package dev.replication.quarkus.it;

import jakarta.inject.Inject;
import jakarta.ws.rs.GET;
import jakarta.ws.rs.POST;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.PathParam;
import jakarta.ws.rs.Produces;
import jakarta.ws.rs.core.MediaType;
import jakarta.ws.rs.core.Response;

@Path("/notes")
@Produces(MediaType.TEXT_PLAIN)
public class NoteResource {

    @Inject
    NoteService notes;

    @POST
    public String create(String text) {
        return Long.toString(notes.create(text));
    }

    @GET
    @Path("/{id}")
    public Response get(@PathParam("id") long id) {
        Note n = notes.find(id);
        return n == null ? Response.status(404).build() : Response.ok(n.text).build();
    }

    /** A plain read, then a replica read, then a plain read again, in one request: the three ports. */
    @GET
    @Path("/ports")
    public String ports() {
        return notes.plainPort() + "," + notes.readPort() + "," + notes.plainPort();
    }
}
