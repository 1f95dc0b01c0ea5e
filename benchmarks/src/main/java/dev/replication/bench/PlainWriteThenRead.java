package dev.replication.bench;

import jakarta.persistence.EntityManagerFactory;

import java.util.Map;

/**
 * A baseline of benchmark 3 on plain Hibernate: the write through a pool to the primary, the read
 * through another pool (to one replica, or over pgjdbc's multi-host URL), with {@code gate} in
 * between.
 *
 * @param id the variant's own row
 * @param gate what the contender does between the write's commit and the read
 */
record PlainWriteThenRead(String key, String label, EntityManagerFactory primary, EntityManagerFactory reads, long id,
                          Gate gate) implements WriteThenRead {

    /** Runs after the write's commit, before the read; its time counts as read latency. */
    interface Gate {
        /** Reads go straight to the pool. */
        Gate NONE = reads -> { };

        void await(EntityManagerFactory reads);

        default void reset() {
        }

        default void addDetails(Map<String, Object> json) {
        }
    }

    @Override
    public Outcome cycle(long value) {
        Work.plainTx(primary, false, em -> Work.update(em, id, value));
        long t = System.nanoTime();
        gate.await(reads);
        long got = Work.plainTx(reads, true, em -> Work.readVal(em, id));
        return new Outcome(got, System.nanoTime() - t);
    }

    @Override
    public void resetCounters() {
        gate.reset();
    }

    @Override
    public void addDetails(Map<String, Object> json) {
        gate.addDetails(json);
    }
}
