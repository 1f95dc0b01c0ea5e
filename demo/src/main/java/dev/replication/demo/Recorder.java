package dev.replication.demo;

import dev.replication.Intent;
import dev.replication.RoutingDecision;
import dev.replication.spi.RoutingListener;

import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.LongAdder;

/**
 * The demo's {@link RoutingListener}: counts where every call was routed, token waits, retries and
 * fallbacks for the summary, and prints the monitor's events (node down/up, excluded, readmitted,
 * primary changed) as they happen.
 */
final class Recorder implements RoutingListener {

    /** One node state event, with the time it was seen. */
    record Event(long nanos, String node, String state, String reason) {
    }

    final Map<String, LongAdder> reads = new ConcurrentHashMap<>();
    final Map<String, LongAdder> writes = new ConcurrentHashMap<>();
    final Map<String, LongAdder> reasons = new ConcurrentHashMap<>();
    final LongAdder fallbacks = new LongAdder();
    final LongAdder tokenWaits = new LongAdder();
    final LongAdder tokenWaitsSatisfied = new LongAdder();
    final AtomicLong maxTokenWaitMicros = new AtomicLong();
    final LongAdder retries = new LongAdder();
    /** The last token wait on this thread (reset by the demo before a read), or null. */
    final ThreadLocal<Duration> lastTokenWait = new ThreadLocal<>();
    final List<Event> events = new CopyOnWriteArrayList<>();
    final List<String[]> primaryChanges = new CopyOnWriteArrayList<>();
    volatile long primaryChangedNanos;
    volatile String primary;

    Recorder(String primary) {
        this.primary = primary;
    }

    @Override
    public void routed(RoutingDecision d) {
        reasons.computeIfAbsent(d.intent() + " " + d.reason(), k -> new LongAdder()).increment();
        if (d.intent() == Intent.WRITE) {
            writes.computeIfAbsent(d.node(), k -> new LongAdder()).increment();
        } else {
            reads.computeIfAbsent(d.node(), k -> new LongAdder()).increment();
            if (d.intent() == Intent.READ && !d.replica()) {
                fallbacks.increment();
            }
        }
    }

    @Override
    public void tokenWaited(String node, Duration waited, boolean satisfied) {
        tokenWaits.increment();
        lastTokenWait.set(waited);
        if (satisfied) {
            tokenWaitsSatisfied.increment();
        }
        maxTokenWaitMicros.accumulateAndGet(waited.toNanos() / 1000, Math::max);
    }

    @Override
    public void readRetried(String failedNode, String reason) {
        retries.increment();
        Console.line("    [library] read retried on another node after a connection failure on %s", failedNode);
    }

    @Override
    public void primaryChanged(String oldPrimary, String newPrimary, boolean promotedByUs) {
        primaryChangedNanos = System.nanoTime();
        primary = newPrimary;
        primaryChanges.add(new String[] {oldPrimary, newPrimary, String.valueOf(promotedByUs)});
        Console.line("    [monitor] primary changed: %s -> %s (%s)", oldPrimary, newPrimary,
                promotedByUs ? "promoted by the library" : "promoted elsewhere, followed");
    }

    @Override
    public void nodeStateChanged(String node, String state, String reason) {
        events.add(new Event(System.nanoTime(), node, state, reason));
        Console.line("    [monitor] %s %s%s", node, state, reason == null ? "" : ": " + shorten(reason));
    }

    /** The first event for {@code node} in {@code state} seen at or after {@code sinceNanos}, or null. */
    Event firstEvent(String node, String state, long sinceNanos) {
        for (Event e : events) {
            if (e.nanos() >= sinceNanos && e.node().equals(node) && e.state().equals(state)) {
                return e;
            }
        }
        return null;
    }

    long reads(String node) {
        LongAdder a = reads.get(node);
        return a == null ? 0 : a.sum();
    }

    long writes(String node) {
        LongAdder a = writes.get(node);
        return a == null ? 0 : a.sum();
    }

    private static String shorten(String s) {
        String one = s.replace('\n', ' ');
        return one.length() > 140 ? one.substring(0, 137) + "..." : one;
    }
}
