package dev.replication.internal;

import java.time.Duration;
import java.util.Locale;
import java.util.Optional;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/** The one duration syntax of the library: {@code 250ms}, {@code 2s}, {@code 1m}, {@code 1h} or a number of milliseconds. */
public final class Durations {
    /** What the syntax allows, for error messages. */
    public static final String ALLOWED = "a duration such as 250ms, 2s, 1m or a number of milliseconds";

    private static final Pattern DURATION = Pattern.compile("(\\d{1,15})\\s*(ms|s|m|h)?");

    private Durations() {
    }

    /** The duration {@code text} denotes, or empty when it is not in the syntax (or too large). */
    public static Optional<Duration> parse(String text) {
        if (text == null) {
            return Optional.empty();
        }
        Matcher m = DURATION.matcher(text.trim().toLowerCase(Locale.ROOT));
        if (!m.matches()) {
            return Optional.empty();
        }
        long n = Long.parseLong(m.group(1));
        String unit = m.group(2) == null ? "ms" : m.group(2);
        return Optional.of(switch (unit) {
            case "ms" -> Duration.ofMillis(n);
            case "s" -> Duration.ofSeconds(n);
            case "m" -> Duration.ofMinutes(n);
            default -> Duration.ofHours(n);
        });
    }
}
