package dev.replication.guarantees;

import java.time.Duration;
import java.util.Set;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Read-your-writes with lagging replicas, the same body in every mode:
 * <ol>
 *   <li>replicas held; a read without any token, on a replica, does not see a new row (the hold is
 *       real, so this body can fail);</li>
 *   <li>{@code cycles} times: insert then read on the same client, update then read: 0 stale;</li>
 *   <li>the token handed to another client (another thread): it sees the last update;</li>
 *   <li>replicas released: reads with the token go back to replicas;</li>
 *   <li>{@code cycles} more update-then-read cycles with replicas caught up, now served by replicas:
 *       0 stale (a second-level cache entry made by a replica read would be stale here).</li>
 * </ol>
 */
public final class ReadYourWritesBody {

    /** What one run saw, for the report. */
    public record Result(String mode, int reads, int stale, int onReplicas, int onPrimary, Duration backOnReplicas,
                         int caughtUpReads, int caughtUpStale, int caughtUpOnReplicas) {
        @Override
        public String toString() {
            return "[guarantee] read-your-writes in " + mode + ": " + stale + " stale of " + reads + " reads ("
                    + onReplicas + " on replicas, " + onPrimary + " elsewhere) while replicas lagged; back on replicas "
                    + backOnReplicas.toMillis() + " ms after release; then " + caughtUpStale + " stale of "
                    + caughtUpReads + " update-then-read cycles (" + caughtUpOnReplicas + " on replicas)";
        }
    }

    private ReadYourWritesBody() {
    }

    public static Result run(GuaranteeMode mode, int cycles) throws Exception {
        long seed = mode.insert("seed");
        mode.holdReplicas();
        int reads = 0;
        int stale = 0;
        int onReplicas = 0;
        Set<Integer> replicaPorts = mode.replicaPorts();
        long lastId;
        String lastValue;
        try {
            long control = mode.insert("control");
            GuaranteeMode.Read unseen = mode.asOtherClient(null, () -> mode.read(control));
            assertThat(unseen.value())
                    .as("%s: a read without the token on a held replica (port %d) must not see a new row, else this body"
                            + " proves nothing", mode.name(), unseen.port())
                    .isNull();
            assertThat(replicaPorts).as("%s: the read without a token ran on a replica", mode.name())
                    .contains(unseen.port());

            lastId = seed;
            lastValue = "seed";
            for (int i = 0; i < cycles; i++) {
                long id = mode.insert("v" + i);
                GuaranteeMode.Read r = mode.read(id);
                reads++;
                if (!("v" + i).equals(r.value())) {
                    stale++;
                }
                onReplicas += replicaPorts.contains(r.port()) ? 1 : 0;
                mode.update(id, "w" + i);
                r = mode.read(id);
                reads++;
                if (!("w" + i).equals(r.value())) {
                    stale++;
                }
                onReplicas += replicaPorts.contains(r.port()) ? 1 : 0;
                lastId = id;
                lastValue = "w" + i;
            }
            String token = mode.token().orElse(null);
            assertThat(token).as("%s: the client holds a token after its writes", mode.name()).isNotNull();
            long id = lastId;
            GuaranteeMode.Read handed = mode.asOtherClient(token, () -> mode.read(id));
            reads++;
            if (!lastValue.equals(handed.value())) {
                stale++;
            }
            onReplicas += replicaPorts.contains(handed.port()) ? 1 : 0;
            assertThat(stale).as("%s: stale reads of %d while replicas were held", mode.name(), reads).isZero();
        } finally {
            mode.releaseReplicas();
        }
        long released = System.nanoTime();
        long deadline = released + Duration.ofSeconds(30).toNanos();
        long id = lastId;
        while (true) {
            GuaranteeMode.Read r = mode.read(id);
            assertThat(r.value()).as("%s: read after release", mode.name()).isEqualTo(lastValue);
            if (replicaPorts.contains(r.port())) {
                break;
            }
            assertThat(System.nanoTime()).as("%s: reads with the token back on replicas within 30 s of the release",
                    mode.name()).isLessThan(deadline);
            Thread.sleep(50); // polling a condition with a deadline
        }
        Duration back = Duration.ofNanos(System.nanoTime() - released);
        int caughtUpStale = 0;
        int caughtUpOnReplicas = 0;
        for (int i = 0; i < cycles; i++) {
            mode.update(id, "x" + i);
            GuaranteeMode.Read r = mode.read(id);
            if (!("x" + i).equals(r.value())) {
                caughtUpStale++;
            }
            caughtUpOnReplicas += replicaPorts.contains(r.port()) ? 1 : 0;
        }
        Result result = new Result(mode.name(), reads, stale, onReplicas, reads - onReplicas, back,
                cycles, caughtUpStale, caughtUpOnReplicas);
        System.out.println(result);
        assertThat(caughtUpStale).as("%s: stale reads of %d update-then-read cycles with replicas caught up",
                mode.name(), cycles).isZero();
        assertThat(caughtUpOnReplicas).as("%s: reads with replicas caught up served by replicas", mode.name())
                .isPositive();
        return result;
    }
}
