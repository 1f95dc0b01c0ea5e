package dev.replication.chaos;

import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.LongAdder;

/**
 * Everything a run recorded: operations, faults, promotions and the library's node events, the
 * phase boundaries, and after the run the final database state. Thread-safe while recording;
 * read by the checker after every worker stopped.
 */
final class History {

    /** A node event the library published ({@code nodeStateChanged}). */
    record NodeEvent(long at, String node, String state, String reason) {
    }

    /** Time zero of the report: the start of the load (until then, the start of the run). */
    volatile long t0 = System.nanoTime();
    private final AtomicLong nextId = new AtomicLong();
    private final ConcurrentLinkedQueue<Op> ops = new ConcurrentLinkedQueue<>();
    private final ConcurrentLinkedQueue<Fault> faults = new ConcurrentLinkedQueue<>();
    private final ConcurrentLinkedQueue<Promotion> promotions = new ConcurrentLinkedQueue<>();
    private final ConcurrentLinkedQueue<NodeEvent> events = new ConcurrentLinkedQueue<>();
    private final Map<Long, String> inFlight = new ConcurrentHashMap<>();
    /** Read decisions of the library after the faults stopped, by "node (tenant t)": what it meant to do. */
    final Map<String, LongAdder> routedReadsAfterFaults = new ConcurrentHashMap<>();
    /** Every attempted write's value by row id, acknowledged or not (a failed write may still have committed). */
    final Map<Long, Long> attempted = new ConcurrentHashMap<>();

    volatile String initialPrimary;
    volatile long faultsFrom;
    volatile long quietFrom;
    volatile long end;
    /** Standbys the testkit had running and following the primary when faults stopped. */
    volatile List<String> standbysAtQuiet = List.of();
    /** Row id to value on the final primary, read after the run. */
    volatile Map<Long, Long> finalRows = Map.of();
    volatile String finalPrimary;
    /** Threads that had not stopped within the bound after the run, with their stacks. */
    volatile List<String> stuckThreads = List.of();

    long begin(String thread) {
        long id = nextId.getAndIncrement();
        inFlight.put(id, thread);
        return id;
    }

    void record(Op op) {
        ops.add(op);
        inFlight.remove(op.id());
    }

    void fault(Fault f) {
        faults.add(f);
    }

    void promotion(Promotion p) {
        promotions.add(p);
    }

    void event(NodeEvent e) {
        events.add(e);
    }

    /** Operations started and never recorded (their thread is stuck or was cut). */
    Map<Long, String> unfinished() {
        return Map.copyOf(inFlight);
    }

    List<Op> ops() {
        List<Op> l = new ArrayList<>(ops);
        l.sort(Comparator.comparingLong(Op::start));
        return l;
    }

    List<Fault> faults() {
        List<Fault> l = new ArrayList<>(faults);
        l.sort(Comparator.comparingLong(Fault::start));
        return l;
    }

    List<Promotion> promotions() {
        return List.copyOf(promotions);
    }

    List<NodeEvent> events() {
        return List.copyOf(events);
    }

    /** Seconds since the run started. */
    double sec(long nanos) {
        return (nanos - t0) / 1e9;
    }

    String phase(long nanos) {
        return nanos < faultsFrom ? "warmup" : nanos < quietFrom ? "faults" : "quiet";
    }
}
