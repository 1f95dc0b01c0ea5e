package dev.replication.it.wildfly.app;

import jakarta.ejb.EJB;
import jakarta.enterprise.context.RequestScoped;
import jakarta.inject.Inject;
import jakarta.ws.rs.Consumes;
import jakarta.ws.rs.GET;
import jakarta.ws.rs.NotFoundException;
import jakarta.ws.rs.POST;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.PathParam;
import jakarta.ws.rs.Produces;
import jakarta.ws.rs.core.MediaType;

/**
 * Each usual shape of an EE application, one endpoint per shape: where a read runs (a {@link Row} line), and what a
 * write did ({@code ok|row line}, or {@code threw|exception chain}; the tests then look for the row on the primary).
 */
@Path("/shapes")
@RequestScoped
@Produces(MediaType.TEXT_PLAIN)
@Consumes(MediaType.TEXT_PLAIN)
public class ShapesResource {

    @Inject
    Catalog catalog;

    @Inject
    RoutedCatalog routed;

    @EJB
    Ledger ledger;

    @GET
    @Path("/read/{shape}/{id}")
    public String read(@PathParam("shape") String shape, @PathParam("id") long id) {
        Row r = switch (shape) {
            case "cdi" -> catalog.find(id);
            case "cdi-transactional" -> catalog.findTransactional(id);
            case "cdi-strong" -> catalog.findStrong(id);
            case "routed" -> routed.find(id);
            case "ejb-required" -> ledger.readRequired(id);
            case "ejb-required-leaving" -> ledger.readRequiredLeaving(id);
            case "ejb-requires-new" -> ledger.readRequiresNew(id);
            case "ejb-supports" -> ledger.readSupports(id);
            case "ejb-not-supported" -> ledger.readNotSupported(id);
            default -> throw new NotFoundException("no read shape " + shape);
        };
        return r.line();
    }

    @POST
    @Path("/write/{shape}")
    public String write(@PathParam("shape") String shape, String value) {
        try {
            Row r = switch (shape) {
                case "cdi" -> catalog.insertAndWhere(value);
                case "cdi-runtime" -> {
                    catalog.insertThenRuntime(value);
                    yield null;
                }
                case "cdi-checked" -> {
                    catalog.insertThenChecked(value);
                    yield null;
                }
                case "cdi-checked-rollbackon" -> {
                    catalog.insertThenCheckedRollbackOn(value);
                    yield null;
                }
                case "cdi-no-transactional" -> {
                    catalog.insertWithoutTransactional(value);
                    yield null;
                }
                case "cdi-no-transactional-checked" -> {
                    catalog.insertWithoutTransactionalThenChecked(value);
                    yield null;
                }
                case "cdi-write-in-read" -> {
                    catalog.writeInRead(value);
                    yield null;
                }
                case "routed" -> {
                    routed.insert(value);
                    yield null;
                }
                case "ejb-required" -> ledger.insertRequired(value);
                case "ejb-requires-new" -> ledger.insertRequiresNew(value);
                case "ejb-supports" -> ledger.insertSupports(value);
                case "ejb-not-supported" -> ledger.insertNotSupported(value);
                case "ejb-runtime" -> {
                    ledger.insertThenRuntime(value);
                    yield null;
                }
                case "ejb-application-exception" -> {
                    ledger.insertThenApplicationException(value);
                    yield null;
                }
                case "ejb-rollback-application-exception" -> {
                    ledger.insertThenRollbackApplicationException(value);
                    yield null;
                }
                case "ejb-set-rollback-only" -> {
                    ledger.insertThenSetRollbackOnly(value);
                    yield null;
                }
                case "ejb-audit-then-runtime" -> {
                    ledger.insertWithAuditThenRuntime(value);
                    yield null;
                }
                default -> throw new NotFoundException("no write shape " + shape);
            };
            return "ok|" + (r == null ? "" : r.line());
        } catch (NotFoundException e) {
            throw e;
        } catch (Exception e) {
            return "threw|" + Failures.chain(e);
        }
    }
}
