package dev.replication.bench;

import jakarta.persistence.EntityManagerFactory;

import java.util.Map;

/**
 * The seed's approach, variant (d) of benchmark 3: after the write, poll
 * {@code now() - pg_last_xact_replay_timestamp()} on the replica every 100 ms (at most 10 times)
 * until it is below 1 s, then read from the replica.
 */
final class SeedLagWait implements PlainWriteThenRead.Gate {

    private long lagPolls;

    @Override
    public void await(EntityManagerFactory replica) {
        for (int i = 0; i < 10; i++) {
            lagPolls++;
            double lag = Work.plainTx(replica, true, em -> ((Number) em.createNativeQuery(
                    "SELECT COALESCE(EXTRACT(EPOCH FROM (now() - pg_last_xact_replay_timestamp())), 1e9)::float8")
                    .getSingleResult()).doubleValue());
            if (lag < 1.0) {
                break;
            }
            Harness.sleep(100);
        }
    }

    @Override
    public void reset() {
        lagPolls = 0;
    }

    @Override
    public void addDetails(Map<String, Object> json) {
        json.put("lagPolls", lagPolls);
    }
}
