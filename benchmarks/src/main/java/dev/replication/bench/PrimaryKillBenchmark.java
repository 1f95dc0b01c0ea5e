package dev.replication.bench;

import dev.replication.NodeStatus;
import dev.replication.Promotion;
import dev.replication.Replication;
import dev.replication.spi.RoutingListener;
import dev.replication.testkit.PgNode;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.Supplier;

import static dev.replication.bench.BenchContext.progress;
import static dev.replication.bench.Report.fmt;

/**
 * Benchmark 5, second part (last: it leaves the cluster without its old primary): SIGKILL of the
 * primary with {@code replication.failover=promote}; time from the kill to the first successful write.
 */
final class PrimaryKillBenchmark implements Benchmark {

    @Override
    public void run(BenchContext ctx) {
        PgNode old = ctx.cluster().primary();
        progress("5/5 faults: SIGKILL primary " + old.name() + " with replication.failover=promote");
        ctx.cluster().awaitReplicated(Duration.ofSeconds(30));
        Replication lib = ctx.library(ctx.cluster().replicas(), Map.of("replication.failover", "promote",
                "replication.failover.repoint-standbys", "true"));
        AtomicLong promotedAt = new AtomicLong();
        lib.addListener(new RoutingListener() {
            @Override
            public void promoted(Promotion p) {
                promotedAt.compareAndSet(0, System.nanoTime());
            }
        });
        long id = BenchContext.RYW_BASE + 11;
        AtomicLong value = new AtomicLong();
        Supplier<Integer> write = () -> lib.write(em -> {
            Work.update(em, id, value.incrementAndGet());
            return Work.port(em);
        });
        long warm = System.nanoTime() + TimeUnit.SECONDS.toNanos(2);
        while (System.nanoTime() < warm) {
            write.get();
            Harness.sleep(20);
        }
        long kill = System.nanoTime();
        old.kill();
        long killed = System.nanoTime();
        long failed = 0;
        long firstOk = -1;
        int port = -1;
        List<String> samples = new ArrayList<>();
        long deadline = kill + TimeUnit.SECONDS.toNanos(30);
        while (System.nanoTime() < deadline) {
            try {
                port = write.get();
                firstOk = System.nanoTime();
                break;
            } catch (RuntimeException e) {
                failed++;
                if (samples.size() < 3) {
                    samples.add(Harness.describe(e));
                }
                Harness.sleep(20);
            }
        }
        String newPrimary = lib.status().primary();
        String landedOn = port < 0 ? null : ctx.nodeName(port);
        // read capacity back: every standby that survived the kill serves reads again (repoint-standbys)
        List<String> survivors = ctx.cluster().replicas().stream().map(PgNode::name)
                .filter(n -> !n.equals(newPrimary)).toList();
        long capacityBack = -1;
        long waitUntil = System.nanoTime() + TimeUnit.SECONDS.toNanos(30);
        while (firstOk > 0 && System.nanoTime() < waitUntil) {
            long tli = lib.status().node(newPrimary).map(NodeStatus::timeline).orElse(-1L);
            if (survivors.stream().allMatch(n -> lib.status().node(n)
                    .filter(st -> st.usable() && st.timeline() == tli).isPresent())) {
                capacityBack = System.nanoTime();
                break;
            }
            Harness.sleep(20);
        }
        Map<String, Object> s = ctx.report().section("5b_primary_kill");
        s.put("description", "Replication.write loop (one thread, 20 ms pause); SIGKILL of primary " + old.name()
                + "; fresh EMF with replication.failover=promote, monitor interval 1 s, primary-failures 3");
        s.put("killCallMillis", Stats.ms(killed - kill));
        s.put("firstWriteAfterKillMillis", firstOk < 0 ? null : Stats.ms(firstOk - kill));
        s.put("failedWriteAttempts", failed);
        s.put("failureSamples", samples);
        s.put("newPrimary", newPrimary);
        s.put("survivingStandbys", survivors);
        s.put("readCapacityBackAfterPromotionMillis", capacityBack < 0 ? null : Stats.ms(capacityBack - promotedAt.get()));
        s.put("firstWriteLandedOn", landedOn);
        ctx.report().row("5 faults", "primary SIGKILL (promote mode): kill → first successful write",
                firstOk < 0 ? "none within 30 s" : fmt(Stats.ms(firstOk - kill), 0) + " ms",
                failed + " failed write attempts; promoted " + newPrimary + " (write landed on "
                        + (landedOn == null ? "-" : landedOn) + ")");
        ctx.report().row("5 faults", "after that promotion, `repoint-standbys=true`: promotion → every surviving standby"
                        + " serves reads on the new timeline",
                capacityBack < 0 ? "not within 30 s" : fmt(Stats.ms(capacityBack - promotedAt.get()), 0) + " ms",
                survivors.size() + " surviving standby(s) " + survivors + "; 3 readmission checks at the 1 s interval");
    }
}
