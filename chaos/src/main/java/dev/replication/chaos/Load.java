package dev.replication.chaos;

import dev.replication.ConsistencyScope;
import dev.replication.ConsistencyToken;
import dev.replication.Replication;
import jakarta.persistence.EntityManager;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.concurrent.ArrayBlockingQueue;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLongArray;
import java.util.concurrent.locks.LockSupport;
import java.util.function.BooleanSupplier;
import java.util.function.Consumer;
import java.util.function.Function;

/**
 * The mixed load: writer threads (each with its own {@link ConsistencyScope}) insert unique rows
 * and advance their register, and hand each write's token as a string to token readers (which
 * resume it on another thread, or read strong); plain readers read recent rows without a token;
 * a connection storm adds many threads at once. Every call is recorded in the {@link History}.
 */
final class Load {

    /** A write handed to another thread: the row, the writer's register value, the token as a string. */
    private record Handoff(long rowId, int writer, long seq, long value, String token) {
    }

    static final long ROW_ID_STRIDE = 1_000_000_000L;
    private static final int RECENT = 4096;

    private final Replication replication;
    private final History history;
    private final Map<Integer, String> nodesByPort;
    private final long seed;
    private final BlockingQueue<Handoff> handoffs = new ArrayBlockingQueue<>(2000);
    private final AtomicLongArray recent = new AtomicLongArray(RECENT);
    private final AtomicInteger recentCount = new AtomicInteger();
    private final List<Thread> threads = new ArrayList<>();
    private volatile boolean stopped;

    Load(Replication replication, History history, Map<Integer, String> nodesByPort, long seed) {
        this.replication = replication;
        this.history = history;
        this.nodesByPort = nodesByPort;
        this.seed = seed;
    }

    void start(int writers, int readers) {
        for (int w = 1; w <= writers; w++) {
            int id = w;
            spawn("writer-" + w, r -> writer(id, r));
        }
        for (int i = 1; i <= readers; i++) {
            spawn("token-reader-" + i, this::tokenReader);
            spawn("reader-" + i, r -> reader("reader", Op.Kind.READ, r, 5, () -> stopped));
        }
    }

    /** Runs {@code threads} storm readers until {@code untilNanos} (pools exhausted); returns when they stopped. */
    void storm(int count, long untilNanos) throws InterruptedException {
        List<Thread> storm = new ArrayList<>();
        for (int i = 0; i < count; i++) {
            Thread t = new Thread(() -> reader(Thread.currentThread().getName(), Op.Kind.STORM,
                    new Random(seed ^ System.nanoTime()), 0, () -> stopped || System.nanoTime() > untilNanos),
                    "storm-" + i);
            t.setDaemon(true);
            storm.add(t);
            t.start();
        }
        for (Thread t : storm) {
            t.join();
        }
    }

    /** Asks every worker to stop after its current call. */
    void stop() {
        stopped = true;
    }

    List<Thread> threads() {
        return List.copyOf(threads);
    }

    private void spawn(String name, Consumer<Random> body) {
        long s = seed * 31 + name.hashCode();
        Thread t = new Thread(() -> body.accept(new Random(s)), name);
        t.setDaemon(true);
        threads.add(t);
        t.start();
    }

    @SuppressWarnings("try") // the binding is held, not used
    private void writer(int w, Random rnd) {
        String name = Thread.currentThread().getName();
        ConsistencyScope scope = new ConsistencyScope();
        long seq = 0;
        try (ConsistencyScope.Binding ignored = scope.bind()) {
            while (!stopped) {
                seq++;
                long rowId = w * ROW_ID_STRIDE + seq;
                long value = 1 + rnd.nextInt(Integer.MAX_VALUE);
                long s = seq;
                history.attempted.put(rowId, value);
                long id = history.begin(name);
                long start = System.nanoTime();
                try {
                    int port = replication.write(em -> {
                        em.createNativeQuery("INSERT INTO chaos_row(id, writer, seq, val) VALUES (?1, ?2, ?3, ?4)")
                                .setParameter(1, rowId).setParameter(2, w).setParameter(3, s).setParameter(4, value)
                                .executeUpdate();
                        em.createNativeQuery("UPDATE chaos_reg SET seq = ?1 WHERE writer = ?2")
                                .setParameter(1, s).setParameter(2, w).executeUpdate();
                        return port(em);
                    });
                    String token = scope.token().map(ConsistencyToken::toString).orElse(null);
                    history.record(new Op(id, name, Op.Kind.WRITE, start, System.nanoTime(), node(port), true, null,
                            token, rowId, w, s, value, -1));
                    remember(rowId);
                    if (token != null) {
                        Handoff h = new Handoff(rowId, w, s, value, token);
                        while (!handoffs.offer(h)) {
                            handoffs.poll();
                        }
                    }
                    if (rnd.nextInt(4) == 0) {
                        read(name, Op.Kind.READ_OWN, rowId, w, s, token, replication::read);
                    }
                } catch (RuntimeException e) {
                    history.record(new Op(id, name, Op.Kind.WRITE, start, System.nanoTime(), null, false,
                            e.getClass().getName(), null, rowId, w, s, value, -1));
                }
                pause(10);
            }
        }
    }

    @SuppressWarnings("try") // the binding is held, not used
    private void tokenReader(Random rnd) {
        String name = Thread.currentThread().getName();
        while (!stopped) {
            Handoff h;
            try {
                h = handoffs.poll(50, TimeUnit.MILLISECONDS);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                return;
            }
            if (h == null) {
                continue;
            }
            if (rnd.nextInt(4) == 0) {
                read(name, Op.Kind.READ_STRONG, h.rowId, h.writer, h.seq, h.token, replication::readStrong);
            } else {
                try (ConsistencyScope.Binding ignored = replication.resume(h.token).bind()) {
                    read(name, Op.Kind.READ_TOKEN, h.rowId, h.writer, h.seq, h.token, replication::read);
                }
            }
            pause(5);
        }
    }

    private void reader(String name, Op.Kind kind, Random rnd, long pauseMillis, BooleanSupplier done) {
        while (!done.getAsBoolean()) {
            int n = Math.min(recentCount.get(), RECENT);
            if (n == 0) {
                pause(20);
                continue;
            }
            long rowId = recent.get(rnd.nextInt(n));
            if (kind == Op.Kind.STORM && rnd.nextInt(3) == 0) {
                read(name, kind, rowId, (int) (rowId / ROW_ID_STRIDE), -1, null, replication::readStrong);
            } else {
                read(name, kind, rowId, (int) (rowId / ROW_ID_STRIDE), -1, null, replication::read);
            }
            pause(pauseMillis);
        }
    }

    /** Reads a row's value and a writer's register, and the node, in one statement; records the call. */
    private void read(String thread, Op.Kind kind, long rowId, int writer, long expectSeq, String token,
                      Function<Function<EntityManager, Object[]>, Object[]> call) {
        long id = history.begin(thread);
        long start = System.nanoTime();
        try {
            Object[] r = call.apply(em -> (Object[]) em.createNativeQuery(
                            "SELECT (SELECT val FROM chaos_row WHERE id = ?1), (SELECT seq FROM chaos_reg WHERE writer = ?2),"
                                    + " inet_server_port()")
                    .setParameter(1, rowId).setParameter(2, writer).getSingleResult());
            Long value = r[0] == null ? null : ((Number) r[0]).longValue();
            long seqRead = r[1] == null ? -1 : ((Number) r[1]).longValue();
            history.record(new Op(id, thread, kind, start, System.nanoTime(), node(((Number) r[2]).intValue()), true, null,
                    token, rowId, writer, expectSeq, value, seqRead));
        } catch (RuntimeException e) {
            history.record(new Op(id, thread, kind, start, System.nanoTime(), null, false, e.getClass().getName(),
                    token, rowId, writer, expectSeq, null, -1));
        }
    }

    private void remember(long rowId) {
        int i = recentCount.getAndIncrement();
        recent.set(i % RECENT, rowId);
    }

    private static int port(EntityManager em) {
        return ((Number) em.createNativeQuery("SELECT inet_server_port()").getSingleResult()).intValue();
    }

    private String node(int port) {
        return nodesByPort.getOrDefault(port, "?" + port);
    }

    private static void pause(long millis) {
        if (millis > 0) {
            LockSupport.parkNanos(TimeUnit.MILLISECONDS.toNanos(millis));
        }
    }
}
