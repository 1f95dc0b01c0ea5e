package dev.replication.it.jta;

import dev.replication.ConsistencyScope;
import dev.replication.guarantees.ReadYourWritesBody;
import dev.replication.guarantees.ReplicaKillBody;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import java.time.Duration;
import java.util.Map;

/**
 * The guarantee matrix, mode "static topology, JTA on Narayana + Agroal, CDI with {@code @Transactional}":
 * the shared bodies of module {@code guarantees} through {@link JtaGuaranteeMode}.
 */
class JtaGuaranteesTest extends JtaTestBase {

    private JtaGuaranteeMode mode;

    @Override
    protected String database() {
        return "jta_guarantees";
    }

    /** A max-lag far above a body's duration: held replicas stay readable, so a read without the token would be stale. */
    @Override
    protected Map<String, Object> settings() {
        return Map.of("replication.max-lag", "60s");
    }

    @BeforeAll
    void mode() {
        mode = new JtaGuaranteeMode(cluster, weld.select(GuaranteeService.class).get());
    }

    @AfterAll
    void closeMode() {
        if (mode != null) {
            mode.close();
        }
    }

    @Test
    void readYourWrites() throws Exception {
        try (ConsistencyScope.Binding client = new ConsistencyScope().bind()) {
            ReadYourWritesBody.run(mode, 10);
        }
    }

    @Test
    void replicaKilledUnderLoad() throws Exception {
        try (ConsistencyScope.Binding client = new ConsistencyScope().bind()) {
            ReplicaKillBody.run(mode, 4, Duration.ofSeconds(2), Duration.ofSeconds(4));
        }
    }
}
