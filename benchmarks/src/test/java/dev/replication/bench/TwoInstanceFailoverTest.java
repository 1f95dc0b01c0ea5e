package dev.replication.bench;

import dev.replication.testkit.PgCluster;
import dev.replication.testkit.PgClusterTest;
import org.junit.jupiter.api.Test;

import java.nio.file.Path;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Issue 16, "many application instances, one promotion": two JVMs with the library in promote mode on one
 * cluster, 10 primary SIGKILLs in a row. Each time exactly one primary, both instances write to it, no
 * timeline accepted by two nodes, every acknowledged write and stored row on the primary of its time.
 */
@PgClusterTest(replicas = 2)
class TwoInstanceFailoverTest {

    @Test
    void tenKillsTwoInstancesOnePrimaryEachTime(PgCluster cluster) throws Exception {
        TwoInstanceFailover.Result r = new TwoInstanceFailover(cluster, Path.of("target", "two-instance")).run(10);
        r.kills().forEach(k -> System.out.println("[two-instance] " + k));
        System.out.println("[two-instance] kill -> first write (ms, both instances): median "
                + TwoInstanceBenchmark.median(r.firstWriteMillis()) + ", all " + r.firstWriteMillis()
                + "; acks " + r.acks() + ", failed writes " + r.failedWrites() + ", rows stored " + r.rowsStored()
                + ", acknowledged rows missing " + r.ackedMissing() + ", epochs " + r.epochs());
        assertThat(r.violations()).as("split brain or misattributed writes").isEmpty();
        assertThat(r.kills()).hasSize(10).allSatisfy(k -> {
            assertThat(k.outOfRecovery()).as("primaries after killing %s", k.killed()).isEqualTo(1);
            assertThat(k.outOfRecoveryAfterHeal()).as("primaries after healing").isEqualTo(1);
            assertThat(k.firstWriteMillis()).as("both instances wrote again").containsOnlyKeys("A", "B");
            assertThat(k.promotedBy()).as("instances that promoted a standby themselves").hasSizeLessThanOrEqualTo(2);
        });
        // 11 primaries: the first and one per kill, each on a timeline of its own
        assertThat(r.epochs()).extracting(TwoInstanceFailover.Epoch::tli).doesNotHaveDuplicates().hasSize(11);
        assertThat(r.acks()).isPositive();
    }
}
