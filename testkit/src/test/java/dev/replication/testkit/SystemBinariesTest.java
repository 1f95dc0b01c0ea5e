package dev.replication.testkit;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.Statement;
import java.time.Duration;
import org.junit.jupiter.api.Test;

/** System-binaries mode, where an installed PostgreSQL exists (skipped otherwise). */
class SystemBinariesTest {
    @Test
    void startsWithInstalledBinaries() throws Exception {
        String configured = System.getProperty("testkit.pg.bin", System.getenv("PG_BIN"));
        Path bin = configured != null ? Path.of(configured) : Path.of("/usr/lib/postgresql/15/bin");
        assumeTrue(Files.isExecutable(bin.resolve("postgres")) && Files.isExecutable(bin.resolve("initdb")),
                "no installed PostgreSQL at " + bin);
        try (PgCluster c = PgCluster.builder().systemBinaries(bin).replicas(1).start()) {
            try (Connection conn = c.primary().connect(); Statement st = conn.createStatement()) {
                st.execute("CREATE TABLE sys (v int)");
                st.execute("INSERT INTO sys VALUES (42)");
            }
            c.awaitReplicated(Duration.ofSeconds(20));
            try (Connection conn = c.replicas().get(0).connect(); Statement st = conn.createStatement();
                    ResultSet rs = st.executeQuery("SELECT v, current_setting('server_version') FROM sys")) {
                assertThat(rs.next()).isTrue();
                assertThat(rs.getInt(1)).isEqualTo(42);
                assertThat(rs.getString(2)).startsWith(c.serverVersion().split("\\.")[0]);
            }
        }
    }
}
