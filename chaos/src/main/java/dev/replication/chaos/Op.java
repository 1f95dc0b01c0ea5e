package dev.replication.chaos;

/**
 * One operation of the history, recorded when it ended.
 *
 * @param id           sequence number in start order
 * @param thread       the worker that ran it
 * @param kind         what it did
 * @param start        {@link System#nanoTime()} at the call
 * @param end          {@link System#nanoTime()} when it returned or threw
 * @param node         the node the transaction ran on ({@code inet_server_port()} in the same transaction),
 *                     {@code null} when it failed before that was known
 * @param ok           returned normally
 * @param error        the exception's class name when not ok
 * @param token        for a write the token it produced, for a token read the token it held (compact form), else {@code null}
 * @param rowId        the row written or read, -1 for none
 * @param writer       the writer whose register was written or read, -1 for none
 * @param seq          the writer's sequence number written, or expected at least by a read; -1 for none
 * @param value        the value written, or read ({@code null}: row absent)
 * @param seqRead      the writer's register as read, -1 when not read
 */
record Op(long id, String thread, Kind kind, long start, long end, String node, boolean ok, String error,
          String token, long rowId, int writer, long seq, Long value, long seqRead) {

    /** What an operation does. */
    enum Kind {
        /** Insert a unique row and advance the writer's register, on the primary. */
        WRITE,
        /** Read a written row and register in the scope of the token its write produced, handed over as a string. */
        READ_TOKEN,
        /** Read-your-writes on the writer's own thread right after its write. */
        READ_OWN,
        /** {@code readStrong} of a written row: the primary. */
        READ_STRONG,
        /** A read without token of some written row. */
        READ,
        /** A read of a connection storm (many threads at once, pools exhausted). */
        STORM
    }

    long micros() {
        return (end - start) / 1000;
    }

    boolean isRead() {
        return kind != Kind.WRITE;
    }
}
