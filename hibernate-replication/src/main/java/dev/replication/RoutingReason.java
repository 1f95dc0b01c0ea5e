package dev.replication;

/** Why a session was routed to the node it was routed to. */
public enum RoutingReason {
    /** A qualifying replica was chosen by the selector. */
    REPLICA_SELECTED,
    /** The selector chose the primary, which takes a share of reads ({@code replication.primary.read-weight}). */
    PRIMARY_SELECTED,
    /** The scope asked for the primary (WRITE or READ_STRONG). */
    PRIMARY_REQUESTED,
    /**
     * No scope was open: sessions default to the primary. Nothing was asked, so the decision's
     * intent says what the connection allows: {@code WRITE} for a read-write session,
     * {@code READ} for a read-only one ({@code withOptions().readOnly(true)}).
     */
    NO_SCOPE,
    /** A nested scope kept the node of its enclosing scope (never switch node inside a transaction). */
    PINNED_BY_TRANSACTION,
    /** No replica was up and in the right role; read on the primary. */
    NO_HEALTHY_REPLICA,
    /** Replicas were up but all beyond the allowed lag; read on the primary. */
    LAG_EXCEEDED,
    /** A replica qualified only after waiting for it to replay the scope's token. */
    TOKEN_WAITED,
    /** No replica had replayed the token and consistency mode {@code primary} sent the read to the primary. */
    TOKEN_NOT_REPLAYED,
    /** No replica replayed the token within the wait timeout; read on the primary. */
    TOKEN_WAIT_TIMEOUT,
    /**
     * The scope committed a write whose position could not be learned (the primary did not answer
     * the question asked after the commit): only the primary is known to have the write, so the
     * read went there (warning {@code HRR000039}). Replicas are used again once the position is known.
     */
    TOKEN_UNKNOWN,
    /** The first attempt failed on a replica connection; this attempt went elsewhere. */
    RETRIED_AFTER_FAILURE,
    /**
     * A read asked to leave its enclosing transaction ({@link RoutingOptions#leaveTransaction()}):
     * the transaction was suspended and a replica chosen for the read's own transaction.
     */
    TRANSACTION_SUSPENDED
}
