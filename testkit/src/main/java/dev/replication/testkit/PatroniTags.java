package dev.replication.testkit;

/**
 * The Patroni member tags the testkit manages. {@code nofailover}: Patroni never promotes this
 * member (not by failover, not by switchover). {@code noloadbalance}: the member's REST API answers
 * 503 on {@code GET /replica}, telling load balancers not to send reads to it. Only tags that are
 * {@code true} are written to the member's configuration, so Patroni's {@code /cluster} shows a
 * {@code tags} object only for members with a tag set. Immutable.
 *
 * @param nofailover never promote this member
 * @param noloadbalance do not send reads to this member
 */
public record PatroniTags(boolean nofailover, boolean noloadbalance) {
    /** No tag set. */
    public static final PatroniTags NONE = new PatroniTags(false, false);

    /**
     * @param value the new {@code nofailover}
     * @return a copy with {@code nofailover} set to {@code value}
     */
    public PatroniTags withNofailover(boolean value) {
        return new PatroniTags(value, noloadbalance);
    }

    /**
     * @param value the new {@code noloadbalance}
     * @return a copy with {@code noloadbalance} set to {@code value}
     */
    public PatroniTags withNoloadbalance(boolean value) {
        return new PatroniTags(nofailover, value);
    }
}
