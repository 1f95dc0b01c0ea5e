package dev.replication.it.patroni;

import dev.replication.Replication;

import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.locks.LockSupport;

/**
 * Read and write load through the library while a test injects faults: two reader threads, one
 * writer. Every acknowledged write records the server that accepted it (port and timeline, read in
 * the same transaction), in acknowledgement order.
 */
final class PatroniLoad implements AutoCloseable {

    /** One acknowledged write: accepted by the server on {@code port}, on {@code timeline}, at {@code nanos}. */
    record Ack(long id, int port, long timeline, long nanos) {
    }

    private final Replication r;
    private final AtomicBoolean running = new AtomicBoolean(true);
    private final List<Thread> threads = new ArrayList<>();
    final List<Ack> acks = new CopyOnWriteArrayList<>();
    final AtomicInteger reads = new AtomicInteger();
    final AtomicInteger failedReads = new AtomicInteger();
    final List<String> readFailures = new CopyOnWriteArrayList<>();
    final AtomicInteger failedWrites = new AtomicInteger();
    final AtomicLong lastWriteFailure = new AtomicLong();

    PatroniLoad(Replication r) {
        this.r = r;
        for (int i = 0; i < 2; i++) {
            threads.add(new Thread(this::readLoop, "patroni-reader-" + i));
        }
        threads.add(new Thread(this::writeLoop, "patroni-writer"));
        for (Thread t : threads) {
            t.setDaemon(true);
            t.start();
        }
    }

    private void readLoop() {
        while (running.get()) {
            try {
                r.read(em -> em.createNativeQuery("SELECT count(*) FROM load_w").getSingleResult());
                reads.incrementAndGet();
            } catch (RuntimeException e) {
                failedReads.incrementAndGet();
                if (readFailures.size() < 5) {
                    readFailures.add(String.valueOf(e));
                }
            }
            LockSupport.parkNanos(5_000_000L);
        }
    }

    private void writeLoop() {
        while (running.get()) {
            try {
                Object[] row = r.write(em -> (Object[]) em.createNativeQuery("INSERT INTO load_w(port, tli)"
                        + " SELECT inet_server_port(), ('x' || substr(pg_walfile_name(pg_current_wal_lsn()), 1, 8))"
                        + "::bit(32)::int RETURNING id, port, tli").getSingleResult());
                acks.add(new Ack(((Number) row[0]).longValue(), ((Number) row[1]).intValue(),
                        ((Number) row[2]).longValue(), System.nanoTime()));
            } catch (RuntimeException e) {
                failedWrites.incrementAndGet();
                lastWriteFailure.set(System.nanoTime());
            }
            LockSupport.parkNanos(20_000_000L);
        }
    }

    /** The timeline of the last acknowledged write, -1 before any. */
    long lastTimeline() {
        return acks.isEmpty() ? -1 : acks.get(acks.size() - 1).timeline();
    }

    /** The first write acknowledged on a timeline above {@code timeline} (a promotion happened), or null. */
    Ack firstAckAfterTimeline(long timeline) {
        for (Ack a : acks) {
            if (a.timeline() > timeline) {
                return a;
            }
        }
        return null;
    }

    @Override
    public void close() throws InterruptedException {
        running.set(false);
        for (Thread t : threads) {
            t.join(10_000);
        }
    }
}
