package dev.replication.chaos;

import dev.replication.ConsistencyToken;
import org.junit.jupiter.api.Test;

import java.util.HashMap;
import java.util.List;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;

/** The checker on hand-made histories: each invariant is found when broken, and nothing when all hold. */
class CheckerTest {

    private static final long MS = 1_000_000L;
    private final Bounds bounds = Bounds.defaults(3);
    private final History h = new History();
    private final Map<Long, Long> rows = new HashMap<>();

    CheckerTest() {
        h.initialPrimary = "node1";
        h.faultsFrom = at(1000);
        h.quietFrom = at(10_000);
        h.end = at(20_000);
        h.finalPrimary = "node1";
        h.standbysAtQuiet = List.of("node2");
        h.finalRows = rows;
    }

    private long at(long millis) {
        return h.t0 + millis * MS;
    }

    private void write(long row, long value, String node, long startMs, long endMs, String token, boolean kept) {
        h.attempted.put(row, value);
        h.record(new Op(h.begin("w"), "w", Op.Kind.WRITE, at(startMs), at(endMs), node, true, null, token, row, 1, row,
                value, -1));
        if (kept) {
            rows.put(row, value);
        }
    }

    private void read(Op.Kind kind, long row, Long value, long seqExpected, long seqRead, String node, long startMs) {
        h.record(new Op(h.begin("r"), "r", kind, at(startMs), at(startMs + 2), node, true, null, "0/10", row, 1,
                seqExpected, value, seqRead));
    }

    private Checker.Verdict check() {
        return check(false);
    }

    private Checker.Verdict check(boolean synchronous) {
        return new Checker(h, bounds, 42, synchronous).check();
    }

    private void healthyBackground() {
        write(1, 11, "node1", 2000, 2005, "0/100", true);
        read(Op.Kind.READ_TOKEN, 1, 11L, 1, 1, "node2", 2010);
        read(Op.Kind.READ, 1, 11L, -1, 1, "node2", 11_000);
    }

    @Test
    void aHistoryThatKeepsEveryGuaranteeHasNoViolation() {
        healthyBackground();
        read(Op.Kind.READ_STRONG, 1, 11L, 1, 1, "node1", 2020);

        Checker.Verdict v = check();

        assertThat(v.total()).as("%s", v.samples()).isZero();
        assertThat(v.violations()).containsKeys(Checker.STALE_TOKEN_READS, Checker.LOST_WRITES, Checker.WRITES_OFF_PRIMARY,
                Checker.SLOW_CALLS, Checker.STUCK_THREADS, Checker.STANDBYS_NOT_SERVING);
    }

    @Test
    void aTokenReadThatMissesItsWriteOrAnOlderRegisterIsStale() {
        healthyBackground();
        write(2, 22, "node1", 3000, 3005, "0/200", true);
        read(Op.Kind.READ_TOKEN, 2, null, 2, 1, "node2", 3010);
        read(Op.Kind.READ_OWN, 2, 22L, 2, 1, "node3", 3020);

        Checker.Verdict v = check();

        assertThat(v.violations()).containsEntry(Checker.STALE_TOKEN_READS, 2);
        assertThat(v.samples().get(Checker.STALE_TOKEN_READS).get(0)).contains("row 2 read absent", "seed 42");
    }

    @Test
    void aValueNobodyWroteIsFound() {
        healthyBackground();
        read(Op.Kind.READ, 1, 99L, -1, 1, "node2", 4000);

        assertThat(check().violations()).containsEntry(Checker.VALUES_NEVER_WRITTEN, 1);
    }

    @Test
    void aLostAcknowledgedWriteIsAViolationUnlessInsideTheReportedWindow() {
        healthyBackground();
        long from = ConsistencyToken.parse("0/300").lsn();
        long to = ConsistencyToken.parse("0/400").lsn();
        write(3, 33, "node1", 5000, 5005, "0/380", false); // inside (0/300, 0/400]
        write(4, 44, "node1", 5010, 5015, "0/480", false); // after the window: silent loss
        h.promotion(new Promotion(at(7000), "node1", "node2", from, to));
        h.finalPrimary = "node2";
        h.standbysAtQuiet = List.of();

        Checker.Verdict v = check();

        assertThat(v.violations()).containsEntry(Checker.LOST_WRITES, 1);
        assertThat(v.samples().get(Checker.LOST_WRITES).get(0)).contains("row 4", "0/480");
        assertThat(v.facts()).containsEntry("acknowledgedWritesLostInsideReportedWindows", 1);
        assertThat(check(true).violations()).as("synchronous replication: no window excuses a loss")
                .containsEntry(Checker.LOST_WRITES, 2);
    }

    @Test
    void aWriteOnTheFencedOldPrimaryAfterThePromotionIsFound() {
        healthyBackground();
        h.promotion(new Promotion(at(6000), "node1", "node2", -1, -1));
        write(5, 55, "node2", 6500, 6505, "0/500", true); // the new primary: fine
        write(6, 66, "node1", 8000, 8005, "0/10", true); // the fenced one after the promotion

        Checker.Verdict v = check();

        assertThat(v.violations()).containsEntry(Checker.WRITES_OFF_PRIMARY, 1);
        assertThat(v.samples().get(Checker.WRITES_OFF_PRIMARY).get(0)).contains("row 6", "node1", "[node2]");
    }

    @Test
    void aCallOverTheBoundAndAnUnfinishedOperationAreFound() {
        healthyBackground();
        long slow = bounds.callBound().toMillis() + 1;
        h.record(new Op(h.begin("r"), "r", Op.Kind.READ, at(3000), at(3000 + slow), "node2", true, null, null, 1, 1, -1,
                11L, 1));
        h.begin("stuck-reader");

        Checker.Verdict v = check();

        assertThat(v.violations()).containsEntry(Checker.SLOW_CALLS, 1).containsEntry(Checker.STUCK_THREADS, 1);
    }

    @Test
    void aStandbyWithoutReadsAfterTheFaultsOrTooLateIsFound() {
        healthyBackground();
        h.standbysAtQuiet = List.of("node2", "node3");
        read(Op.Kind.READ, 1, 11L, -1, 1, "node3", 10_000 + bounds.standbyBound().toMillis() + 100);

        Checker.Verdict v = check();

        assertThat(v.violations()).containsEntry(Checker.STANDBYS_NOT_SERVING, 1);
        assertThat(v.samples().get(Checker.STANDBYS_NOT_SERVING).get(0)).startsWith("node3 served its first read");
    }
}
