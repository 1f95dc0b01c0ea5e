package dev.replication.testkit;

import java.util.Map;

/**
 * One member as Patroni's {@code GET /cluster} reports it (Patroni 3.0.x). Immutable.
 *
 * @param name the member name, e.g. {@code pg2}
 * @param role {@code leader}, {@code replica}, {@code sync_standby} or {@code standby_leader}
 * @param state e.g. {@code running}, {@code stopped}, {@code starting}, {@code crashed},
 *     {@code creating replica}, {@code start failed} (Patroni's words; a streaming replica says
 *     {@code running} in 3.0.x)
 * @param apiUrl the member's REST endpoint, e.g. {@code http://127.0.0.1:8009/patroni}
 * @param host PostgreSQL host, or null when Patroni does not report one
 * @param port PostgreSQL port, or 0 when Patroni does not report one
 * @param timeline the timeline, or null when not reported (e.g. a stopped member)
 * @param lag replication lag in bytes behind the leader's last known WAL position; null for the
 *     leader and when Patroni reports {@code unknown}
 * @param tags the member's tags as reported (values as strings); empty when none is set
 */
public record PatroniMemberStatus(String name, String role, String state, String apiUrl, String host, int port,
        Integer timeline, Long lag, Map<String, String> tags) {
    /** Makes the tags map unmodifiable. */
    public PatroniMemberStatus {
        tags = Map.copyOf(tags);
    }

    /** @return whether Patroni reports this member as the leader (or a standby cluster's leader) */
    public boolean isLeader() {
        return "leader".equals(role) || "standby_leader".equals(role);
    }

    /** @return whether this member is a running replica with a known, numeric lag */
    public boolean isStreamingReplica() {
        return !isLeader() && "running".equals(state) && lag != null;
    }

    /** @return whether tag {@code noloadbalance} is set */
    public boolean noloadbalance() {
        return "true".equalsIgnoreCase(tags.getOrDefault("noloadbalance", "false"));
    }

    /** @return whether tag {@code nofailover} is set */
    public boolean nofailover() {
        return "true".equalsIgnoreCase(tags.getOrDefault("nofailover", "false"));
    }
}
