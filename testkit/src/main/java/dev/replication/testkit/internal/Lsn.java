package dev.replication.testkit.internal;

/**
 * A PostgreSQL WAL position ({@code pg_lsn}), e.g. {@code 0/3000060}.
 *
 * @param value the 64-bit position
 */
public record Lsn(long value) implements Comparable<Lsn> {

    /**
     * @param text the {@code pg_lsn} text form {@code X/Y} (hex), or null
     * @return the position, or null for null input
     */
    public static Lsn parse(String text) {
        if (text == null) {
            return null;
        }
        int slash = text.indexOf('/');
        if (slash < 0) {
            throw new IllegalArgumentException("not a pg_lsn: " + text);
        }
        long hi = Long.parseUnsignedLong(text.substring(0, slash), 16);
        long lo = Long.parseUnsignedLong(text.substring(slash + 1), 16);
        return new Lsn((hi << 32) | (lo & 0xFFFFFFFFL));
    }

    @Override
    public int compareTo(Lsn o) {
        return Long.compareUnsigned(value, o.value);
    }

    /**
     * @param other another position
     * @return whether this position is at or after {@code other}
     */
    public boolean atLeast(Lsn other) {
        return compareTo(other) >= 0;
    }

    @Override
    public String toString() {
        return Long.toHexString(value >>> 32).toUpperCase() + "/" + Long.toHexString(value & 0xFFFFFFFFL).toUpperCase();
    }
}
