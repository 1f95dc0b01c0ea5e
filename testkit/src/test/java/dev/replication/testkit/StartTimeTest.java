package dev.replication.testkit;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import org.junit.jupiter.api.Test;

/** Measures the start time of a primary + 2 streaming replicas (median of 5; binaries and template already cached). */
class StartTimeTest {
    @Test
    void primaryPlusTwoReplicasStartsQuickly() {
        PgCluster.builder().replicas(0).start().close(); // warm caches (unpack, initdb template)
        List<Long> ms = new ArrayList<>();
        for (int i = 0; i < 5; i++) {
            long t0 = System.nanoTime();
            PgCluster c = PgCluster.builder().replicas(2).start();
            ms.add((System.nanoTime() - t0) / 1_000_000);
            c.close();
        }
        Collections.sort(ms);
        System.out.println("[testkit] start primary + 2 replicas (streaming): median " + ms.get(2) + " ms of " + ms);
        assertThat(ms.get(2)).isLessThan(10_000);
    }
}
