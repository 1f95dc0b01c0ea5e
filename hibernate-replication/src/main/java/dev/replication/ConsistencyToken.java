package dev.replication;

import java.util.regex.Pattern;

/**
 * A WAL position at or after the commit record of a write: a replica that has replayed this
 * position sees the write. Tokens compare by position; {@link #toString()} gives a compact form
 * ({@code "16/B374D848"}, PostgreSQL's own {@code pg_lsn} text) to carry across requests,
 * services and jobs (HTTP header, cookie, message property); {@link #parse(String)} reads it
 * back. Tokens from outside are untrusted: the library caps one that is ahead of the primary.
 *
 * @param lsn the WAL position as an unsigned 64-bit number
 */
public record ConsistencyToken(long lsn) implements Comparable<ConsistencyToken> {

    private static final Pattern FORM = Pattern.compile("[0-9A-Fa-f]{1,8}/[0-9A-Fa-f]{1,8}");

    /**
     * Parses the compact form.
     *
     * @throws IllegalArgumentException when {@code text} is not {@code <hex>/<hex>} (at most 8 hex digits each)
     */
    public static ConsistencyToken parse(String text) {
        if (text == null || !FORM.matcher(text.trim()).matches()) {
            throw new IllegalArgumentException("Invalid consistency token '" + abbreviate(text)
                    + "': expected a WAL position such as 16/B374D848 (two groups of 1-8 hex digits)");
        }
        String t = text.trim();
        int slash = t.indexOf('/');
        long hi = Long.parseLong(t.substring(0, slash), 16);
        long lo = Long.parseLong(t.substring(slash + 1), 16);
        return new ConsistencyToken((hi << 32) | lo);
    }

    /** Parses PostgreSQL's {@code pg_lsn} text form; {@code null} stays {@code null}. */
    public static long parseLsn(String pgLsn) {
        return pgLsn == null ? -1 : parse(pgLsn).lsn();
    }

    private static String abbreviate(String text) {
        if (text == null) {
            return "null";
        }
        return text.length() > 40 ? text.substring(0, 40) + "..." : text;
    }

    /** True when this position is at or after {@code other}. */
    public boolean isAtOrAfter(long otherLsn) {
        return Long.compareUnsigned(lsn, otherLsn) >= 0;
    }

    @Override
    public int compareTo(ConsistencyToken o) {
        return Long.compareUnsigned(lsn, o.lsn);
    }

    @Override
    public String toString() {
        return Long.toHexString(lsn >>> 32).toUpperCase() + "/" + Long.toHexString(lsn & 0xFFFFFFFFL).toUpperCase();
    }
}
