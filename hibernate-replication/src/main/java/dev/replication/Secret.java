package dev.replication;

import java.util.Objects;

/**
 * A password held as a settings value whose {@link #toString()} never shows it. Hibernate keeps
 * non-text values of the settings map as they are and prints maps through {@code toString()}
 * (at DEBUG), so a password put in the map as a {@code Secret} stays out of those lines.
 * {@link ReplicationConfig.Builder} stores every password this way; a hand-made map may do the
 * same: {@code props.put("replication.password", Secret.of(pw))}. The library unwraps it when it
 * reads the settings.
 * <p>
 * Immutable and thread-safe. Not serializable, on purpose.
 */
public final class Secret {
    private final String value;

    private Secret(String value) {
        this.value = value;
    }

    /** Wraps {@code value} (not null; an empty one fails when the configuration is read). */
    public static Secret of(String value) {
        return new Secret(Objects.requireNonNull(value, "value"));
    }

    /** The clear text. Never log it. */
    public String value() {
        return value;
    }

    /** Always {@code <hidden>}. */
    @Override
    public String toString() {
        return "<hidden>";
    }
}
