package dev.replication.bench;

import dev.replication.testkit.PgCluster;
import dev.replication.testkit.PgClusterTest;
import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Issue 16: the possibly lost WAL a promotion reports agrees with the acknowledged rows actually missing on
 * the promoted node, with nothing lost (standbys streaming) and with a real loss (standbys stopped
 * receiving WAL before the primary's SIGKILL).
 */
@PgClusterTest(replicas = 2)
class LostWritesAgreementTest {

    @Test
    void reportedLostBytesAgreeWithMissingRows(PgCluster cluster) throws Exception {
        LostWritesProbe.Result streaming = LostWritesProbe.run(cluster, LostWritesProbe.Mode.STREAMING);
        LostWritesProbe.Result lost = LostWritesProbe.run(cluster, LostWritesProbe.Mode.STANDBYS_DISCONNECTED);
        System.out.println("[lost-writes] " + streaming);
        System.out.println("[lost-writes] " + lost);

        assertThat(streaming.agrees()).as("reported vs missing: %s", streaming).isTrue();

        assertThat(lost.ackedUnreceived()).as("writes acknowledged by the primary alone").isGreaterThanOrEqualTo(50);
        assertThat(lost.missing()).as("acknowledged rows missing on the promoted node: %s", lost)
                .isBetween(lost.ackedUnreceived(), lost.ackedWhileStopping());
        assertThat(lost.reportedBytes()).as("reported possibly lost bytes: %s", lost).isPositive();
        assertThat(lost.agrees()).isTrue();
    }
}
