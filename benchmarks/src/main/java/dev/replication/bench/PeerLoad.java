package dev.replication.bench;

import java.util.ArrayList;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.function.IntPredicate;

/**
 * Reader (and writer) threads per peer, all peers at once, recording every request: the fault rows
 * (4, 5) put the same fault under every peer's load. Readers read a random row; writers update the
 * peer's own row and answer the port they wrote on.
 */
final class PeerLoad implements AutoCloseable {

    /** One request: which peer and thread, when, whether it succeeded, on which server port. */
    record Event(String peer, boolean write, int thread, long start, long end, boolean ok, int port, String error) {
        long nanos() {
            return end - start;
        }
    }

    private final ConcurrentLinkedQueue<Event> events = new ConcurrentLinkedQueue<>();
    private final AtomicBoolean stop = new AtomicBoolean();
    private final List<Thread> threads = new ArrayList<>();

    /**
     * Starts {@code readers} reading threads and {@code writers} writing threads per peer; writers
     * pause {@code writePauseMillis} between writes.
     */
    PeerLoad(List<Peer> peers, int readers, int writers, long writePauseMillis) {
        for (int p = 0; p < peers.size(); p++) {
            Peer peer = peers.get(p);
            long row = PeerCluster.PEER_ROWS + 100 + p;
            for (int t = 0; t < readers + writers; t++) {
                boolean write = t >= readers;
                int thread = t;
                Thread th = new Thread(() -> loop(peer, write, thread, row, writePauseMillis), "load-" + peer.key() + "-" + t);
                th.setDaemon(true);
                threads.add(th);
            }
        }
        threads.forEach(Thread::start);
    }

    private void loop(Peer peer, boolean write, int thread, long row, long pause) {
        long value = 0;
        while (!stop.get()) {
            long s = System.nanoTime();
            try {
                int port;
                if (write) {
                    long v = ++value;
                    port = peer.write(em -> {
                        Work.update(em, row, v);
                        return Work.port(em);
                    });
                } else {
                    port = peer.read(em -> Peer.readRow(em, Work.randomId())).port();
                }
                events.add(new Event(peer.key(), write, thread, s, System.nanoTime(), true, port, null));
            } catch (RuntimeException e) {
                events.add(new Event(peer.key(), write, thread, s, System.nanoTime(), false, -1, Harness.describe(e)));
                Harness.sleep(5); // a failing pool answers at once: do not spin
            }
            if (write && pause > 0) {
                Harness.sleep(pause);
            }
        }
    }

    /** Every event so far of one peer, by end time. */
    List<Event> events(String peer) {
        List<Event> out = new ArrayList<>(events.stream().filter(e -> e.peer().equals(peer)).toList());
        out.sort(Comparator.comparingLong(Event::end));
        return out;
    }

    @Override
    public void close() throws InterruptedException {
        stop.set(true);
        for (Thread t : threads) {
            t.join(15_000);
        }
    }

    /**
     * What one peer's requests of one kind (reads or writes) did after a fault at {@code fault}
     * (nanoTime), for the JSON and the table.
     *
     * @param onTarget for "back": the port a request must land on to count (e.g. the restarted replica, the new leader)
     * @param since from when "back" counts (the restart, the fault)
     */
    static Map<String, Object> outage(List<Event> all, boolean writes, long fault, long since, IntPredicate onTarget,
            long noAnswerNanos) {
        List<Event> ev = all.stream().filter(e -> e.write() == writes).toList();
        List<Event> after = ev.stream().filter(e -> e.end() >= fault).toList();
        long failed = after.stream().filter(e -> !e.ok()).count();
        long lastFailureEnd = after.stream().filter(e -> !e.ok()).mapToLong(Event::end).max().orElse(fault);
        long firstOkAfter = after.stream().filter(e -> e.ok() && e.start() >= lastFailureEnd).mapToLong(Event::end).min()
                .orElse(-1);
        List<Event> slow = after.stream().filter(e -> e.nanos() >= noAnswerNanos).toList();
        long sessions = slow.stream().map(Event::thread).distinct().count();
        long longest = after.stream().mapToLong(Event::nanos).max().orElse(0);
        long prev = fault;
        long maxGap = 0;
        for (Event e : after) {
            if (e.ok()) {
                maxGap = Math.max(maxGap, e.end() - prev);
                prev = e.end();
            }
        }
        long back = after.stream().filter(e -> e.ok() && e.start() >= since && onTarget.test(e.port()))
                .mapToLong(Event::end).min().orElse(-1);
        long firstOk = after.stream().filter(e -> e.ok() && e.start() >= fault && onTarget.test(e.port()))
                .mapToLong(Event::end).min().orElse(-1);
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("requests", after.size());
        m.put("failed", failed);
        m.put("noAnswerRequests", slow.size());
        m.put("noAnswerSessions", sessions);
        m.put("longestRequestMillis", Stats.ms(longest));
        m.put("allSucceedAfterMillis", failed == 0 ? 0.0 : firstOkAfter < 0 ? null : Stats.ms(firstOkAfter - fault));
        m.put("longestGapMillis", Stats.ms(maxGap));
        m.put("firstOnTargetAfterFaultMillis", firstOk < 0 ? null : Stats.ms(firstOk - fault));
        m.put("backOnTargetMillis", back < 0 ? null : Stats.ms(back - since));
        m.put("failureEndsMillisAfterFault", after.stream().filter(e -> !e.ok()).map(e -> Math.round(Stats.ms(e.end() - fault)))
                .distinct().limit(50).toList());
        m.put("failureSamples", after.stream().filter(e -> !e.ok()).map(Event::error).distinct().limit(3).toList());
        return m;
    }
}
