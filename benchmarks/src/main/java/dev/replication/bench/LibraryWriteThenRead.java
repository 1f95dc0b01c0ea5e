package dev.replication.bench;

import dev.replication.ConsistencyScope;
import dev.replication.Intent;
import dev.replication.Replication;
import dev.replication.RoutingDecision;
import dev.replication.spi.RoutingListener;

import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.LongAdder;

/**
 * The library in benchmark 3: {@code replication.consistency=wait}, a fresh
 * {@link ConsistencyScope} per cycle; counts where its reads were routed and its token waits.
 */
final class LibraryWriteThenRead implements WriteThenRead {

    private final Replication lib;
    private final long id;
    private final List<String> replicas;
    private final LongAdder tokenWaits = new LongAdder();
    private final LongAdder tokenTimeouts = new LongAdder();
    private final Map<String, LongAdder> readsOn = new ConcurrentHashMap<>();

    /** {@code lib} must select replicas round-robin among {@code replicas} (the read spread is judged by that). */
    LibraryWriteThenRead(Replication lib, List<String> replicas, long id) {
        this.lib = lib;
        this.replicas = List.copyOf(replicas);
        this.id = id;
        lib.addListener(new RoutingListener() {
            @Override
            public void routed(RoutingDecision d) {
                if (d.intent() == Intent.READ) {
                    readsOn.computeIfAbsent(d.node(), k -> new LongAdder()).increment();
                }
            }

            @Override
            public void tokenWaited(String node, Duration waited, boolean satisfied) {
                (satisfied ? tokenWaits : tokenTimeouts).increment();
            }
        });
    }

    @Override
    public String key() {
        return "a_library";
    }

    @Override
    public String label() {
        return "(a) this library, consistency=wait";
    }

    @Override
    public Outcome cycle(long value) {
        try (ConsistencyScope.Binding ignored = new ConsistencyScope().bind()) {
            lib.write(em -> Work.update(em, id, value));
            long t = System.nanoTime();
            long got = lib.read(em -> Work.readVal(em, id));
            return new Outcome(got, System.nanoTime() - t);
        }
    }

    @Override
    public void resetCounters() {
        tokenWaits.reset();
        tokenTimeouts.reset();
        readsOn.clear();
    }

    long tokenWaits() {
        return tokenWaits.sum();
    }

    long tokenTimeouts() {
        return tokenTimeouts.sum();
    }

    /** Reads per node since the last reset; every replica is listed, with 0 if it got none. */
    ReadSpread spread() {
        Map<String, Long> on = new TreeMap<>();
        replicas.forEach(r -> on.put(r, 0L));
        readsOn.forEach((k, v) -> on.put(k, v.sum()));
        return ReadSpread.roundRobin(on, replicas);
    }

    @Override
    public void addDetails(Map<String, Object> json) {
        ReadSpread spread = spread();
        Map<String, Object> la = new LinkedHashMap<>();
        la.put("tokenWaitsSatisfied", tokenWaits());
        la.put("tokenWaitTimeouts", tokenTimeouts());
        la.put("readsPerNode", spread.readsPerNode());
        la.putAll(spread.json());
        json.put("routing", la);
    }
}
