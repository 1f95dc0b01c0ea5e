package dev.replication.testkit.internal;

import java.nio.file.Path;

/**
 * A PostgreSQL installation's bin directory.
 *
 * @param binDir directory holding initdb and postgres
 * @param version the PostgreSQL version string reported by {@code postgres --version}
 * @param key a file-name-safe key identifying these binaries (for caches)
 */
public record PgBinaries(Path binDir, String version, String key) {
    /** @return the initdb executable */
    public Path initdb() {
        return binDir.resolve("initdb");
    }

    /** @return the postgres executable */
    public Path postgres() {
        return binDir.resolve("postgres");
    }

    /** @return the major version, e.g. 17 */
    public int major() {
        String v = version.replaceAll("^[^0-9]*", "");
        int end = 0;
        while (end < v.length() && Character.isDigit(v.charAt(end))) {
            end++;
        }
        return end == 0 ? 0 : Integer.parseInt(v.substring(0, end));
    }
}
