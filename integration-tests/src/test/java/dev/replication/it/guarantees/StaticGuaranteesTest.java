package dev.replication.it.guarantees;

import dev.replication.guarantees.ReadYourWritesBody;
import dev.replication.guarantees.ReplicaKillBody;
import dev.replication.guarantees.TestkitMode;
import dev.replication.testkit.PgCluster;
import dev.replication.testkit.PgClusterTest;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;

import java.time.Duration;

/**
 * The guarantee matrix, mode "static topology, resource-local, the facade, Hibernate 7.4, second-level
 * cache on": the shared bodies of module {@code guarantees}.
 */
@PgClusterTest(replicas = 2)
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class StaticGuaranteesTest {

    private TestkitMode mode;

    @BeforeAll
    void start(PgCluster cluster) throws Exception {
        mode = TestkitMode.start("static, resource-local, Hibernate 7.4, 2LC on", cluster, "guarantees_static");
    }

    @AfterAll
    void stop() {
        if (mode != null) {
            mode.close();
        }
    }

    @Test
    void readYourWrites() throws Exception {
        ReadYourWritesBody.run(mode, 10);
    }

    @Test
    void replicaKilledUnderLoad() throws Exception {
        ReplicaKillBody.run(mode, 4, Duration.ofSeconds(2), Duration.ofSeconds(4));
    }
}
