package dev.replication.chaos;

import dev.replication.testkit.Await;
import dev.replication.testkit.PgCluster;
import dev.replication.testkit.PgNode;

import java.time.Duration;
import java.util.List;
import java.util.Random;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.LockSupport;

/**
 * Injects faults one after another from a schedule seeded by the run's seed, each healed before the
 * next (the primary's SIGKILL with its promotion, adoption and re-attachment counts as one), until
 * the quiet phase. Runs on its own thread; records every fault in the {@link History}.
 */
final class Nemesis {

    private static final Fault.Kind[] RANDOM_KINDS = {
        Fault.Kind.REPLICA_KILL, Fault.Kind.REPLICA_STOP, Fault.Kind.PRIMARY_STOP, Fault.Kind.REPLAY_PAUSE,
        Fault.Kind.APPLY_DELAY, Fault.Kind.CONNECTION_STORM
    };
    static final int STORM_THREADS = 32;

    private final PgCluster cluster;
    private final History history;
    private final Load load;
    private final Bounds bounds;
    private final Random rnd;

    Nemesis(PgCluster cluster, History history, Load load, Bounds bounds, long seed) {
        this.cluster = cluster;
        this.history = history;
        this.load = load;
        this.bounds = bounds;
        this.rnd = new Random(seed);
    }

    /**
     * Injects faults until {@code untilNanos}, with a primary SIGKILL at each of {@code primaryKills}
     * ({@link System#nanoTime()} values, ascending). Returns when the last fault is healed.
     */
    void run(long untilNanos, List<Long> primaryKills) throws InterruptedException {
        int next = 0;
        while (System.nanoTime() < untilNanos) {
            if (next < primaryKills.size() && System.nanoTime() >= primaryKills.get(next)) {
                next++;
                primaryKill();
            } else {
                Fault.Kind kind = RANDOM_KINDS[rnd.nextInt(RANDOM_KINDS.length)];
                long left = untilNanos - System.nanoTime();
                if (left < TimeUnit.SECONDS.toNanos(2)) {
                    break;
                }
                inject(kind);
            }
            sleep(500 + rnd.nextInt(1500));
        }
    }

    private void inject(Fault.Kind kind) throws InterruptedException {
        List<PgNode> replicas = cluster.replicas().stream().filter(PgNode::isRunning).toList();
        PgNode r = replicas.isEmpty() ? null : replicas.get(rnd.nextInt(replicas.size()));
        long hold = 1000 + rnd.nextInt(3000);
        long start = System.nanoTime();
        String node = r == null ? "-" : r.name();
        String detail;
        try {
            switch (kind) {
                case REPLICA_KILL -> {
                    r.kill();
                    sleep(hold);
                    r.start();
                    detail = "SIGKILL, restarted after " + hold + " ms";
                }
                case REPLICA_STOP -> {
                    r.suspend();
                    try {
                        sleep(hold);
                    } finally {
                        r.resumeProcess();
                    }
                    detail = "SIGSTOP for " + hold + " ms";
                }
                case PRIMARY_STOP -> {
                    PgNode p = cluster.primary();
                    node = p.name();
                    long stop = 300 + rnd.nextInt((int) bounds.maxPrimaryStop().toMillis() - 300 + 1);
                    p.suspend();
                    try {
                        sleep(stop);
                    } finally {
                        p.resumeProcess();
                    }
                    detail = "SIGSTOP for " + stop + " ms";
                }
                case REPLAY_PAUSE -> {
                    r.pauseReplay();
                    try {
                        sleep(hold);
                    } finally {
                        r.resumeReplay();
                    }
                    detail = "replay paused for " + hold + " ms";
                }
                case APPLY_DELAY -> {
                    long delay = 500 + rnd.nextInt(1500);
                    r.setApplyDelay(Duration.ofMillis(delay));
                    try {
                        sleep(hold);
                    } finally {
                        r.setApplyDelay(Duration.ZERO);
                    }
                    detail = "recovery_min_apply_delay " + delay + " ms for " + hold + " ms";
                }
                case CONNECTION_STORM -> {
                    node = "*";
                    load.storm(STORM_THREADS, System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(hold));
                    detail = STORM_THREADS + " extra reader threads for " + hold + " ms";
                }
                default -> throw new IllegalStateException(kind.name());
            }
        } catch (RuntimeException e) {
            detail = "NEMESIS ERROR: " + e;
        }
        history.fault(new Fault(kind, node, start, System.nanoTime(), detail));
        ChaosMain.progress(history, kind + " " + node + ": " + detail);
    }

    /**
     * SIGKILL of the primary; waits for the library's promotion, makes the testkit adopt it,
     * re-attaches the replicas that followed the old primary, restarts the old primary as a
     * (fenced) primary for a while, then re-attaches it as a replica.
     */
    private void primaryKill() {
        PgNode old = cluster.primary();
        long start = System.nanoTime();
        StringBuilder detail = new StringBuilder("SIGKILL");
        int before = history.promotions().size();
        try {
            old.kill();
            try {
                Await.until("the library promotes a standby after " + old.name() + "'s SIGKILL",
                        bounds.failoverBound(), () -> history.promotions().size() > before);
            } catch (RuntimeException | AssertionError e) {
                detail.append("; NO PROMOTION within ").append(bounds.failoverBound().toMillis()).append(" ms");
                history.fault(new Fault(Fault.Kind.PRIMARY_KILL, old.name(), start, System.nanoTime(), detail.toString()));
                ChaosMain.progress(history, "PRIMARY_KILL " + old.name() + ": " + detail);
                return;
            }
            Promotion p = history.promotions().get(before);
            PgNode promoted = cluster.node(p.newPrimary());
            detail.append("; library promoted ").append(promoted.name()).append(" after ")
                    .append((p.at() - start) / 1_000_000).append(" ms");
            cluster.adoptPromotion(promoted);
            for (PgNode r : cluster.replicas()) {
                if (r != promoted && r.upstream().map(u -> u == old).orElse(true)) {
                    sleep(1000 + rnd.nextInt(2000));
                    cluster.reattach(r);
                    detail.append("; re-attached ").append(r.name());
                }
            }
            old.start();
            long stale = 2000 + rnd.nextInt(3000);
            detail.append("; old primary restarted as a primary (fenced) for ").append(stale).append(" ms");
            sleep(stale);
            cluster.reattach(old);
            detail.append("; re-attached ").append(old.name()).append(" as a replica");
        } catch (RuntimeException e) {
            detail.append("; NEMESIS ERROR: ").append(e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            detail.append("; interrupted");
        }
        history.fault(new Fault(Fault.Kind.PRIMARY_KILL, old.name(), start, System.nanoTime(), detail.toString()));
        ChaosMain.progress(history, "PRIMARY_KILL " + old.name() + ": " + detail);
    }

    private static void sleep(long millis) throws InterruptedException {
        LockSupport.parkNanos(TimeUnit.MILLISECONDS.toNanos(millis));
        if (Thread.interrupted()) {
            throw new InterruptedException();
        }
    }
}
