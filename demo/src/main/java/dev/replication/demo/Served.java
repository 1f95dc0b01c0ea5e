package dev.replication.demo;

import dev.replication.RoutingDecision;
import dev.replication.RoutingReason;
import dev.replication.Routing;
import dev.replication.RoutingScope;
import jakarta.persistence.EntityManager;

/**
 * What a service call returned and where it ran: the node the library routed it to (and why) and,
 * as proof from the server itself, {@code inet_server_port()} and {@code pg_is_in_recovery()}.
 */
public record Served<T>(T value, String node, RoutingReason reason, int port, boolean inRecovery) {

    static <T> Served<T> of(EntityManager em, T value) {
        RoutingDecision d = Routing.current().flatMap(RoutingScope::decision).orElse(null);
        Object[] row = (Object[]) em.createNativeQuery("SELECT inet_server_port(), pg_is_in_recovery()").getSingleResult();
        return new Served<>(value, d == null ? "?" : d.node(), d == null ? null : d.reason(),
                ((Number) row[0]).intValue(), (Boolean) row[1]);
    }

    /** {@code node2 (port 5433, standby)}. */
    public String where() {
        return node + " (port " + port + ", " + (inRecovery ? "standby" : "primary") + ")";
    }
}
