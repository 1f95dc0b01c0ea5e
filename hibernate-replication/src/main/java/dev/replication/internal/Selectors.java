package dev.replication.internal;

import dev.replication.ReplicationConfigurationException;
import dev.replication.spi.ReplicaCandidate;
import dev.replication.spi.ReplicaSelector;

import java.lang.reflect.InvocationTargetException;
import java.util.Comparator;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.atomic.AtomicLong;

/** The built-in replica selection strategies. */
public final class Selectors {
    private Selectors() {
    }

    public static ReplicaSelector create(String spec) {
        return switch (spec) {
            case "round-robin" -> new RoundRobin();
            case "random" -> new RandomChoice();
            case "least-loaded" -> new LeastLoaded();
            case "weighted" -> new Weighted();
            case "lowest-lag" -> new LowestLag();
            default -> instantiate(spec);
        };
    }

    private static ReplicaSelector instantiate(String className) {
        try {
            ClassLoader cl = Thread.currentThread().getContextClassLoader();
            Class<?> c = Class.forName(className, true, cl != null ? cl : Selectors.class.getClassLoader());
            return (ReplicaSelector) c.getDeclaredConstructor().newInstance();
        } catch (ReflectiveOperationException | RuntimeException e) {
            Throwable cause = e instanceof InvocationTargetException ite ? ite.getCause() : e;
            throw new ReplicationConfigurationException("Invalid value '" + className
                    + "' for 'replication.selector': the class could not be instantiated with a public no-arg"
                    + " constructor (" + cause + ")");
        }
    }

    /** Each qualifying replica in turn. Even over 2 replicas when both qualify. */
    static final class RoundRobin implements ReplicaSelector {
        private final AtomicLong next = new AtomicLong();

        @Override
        public ReplicaCandidate select(List<ReplicaCandidate> candidates) {
            return candidates.get((int) Math.floorMod(next.getAndIncrement(), (long) candidates.size()));
        }
    }

    /** Uniformly at random. */
    static final class RandomChoice implements ReplicaSelector {
        @Override
        public ReplicaCandidate select(List<ReplicaCandidate> candidates) {
            return candidates.get(ThreadLocalRandom.current().nextInt(candidates.size()));
        }
    }

    /** Fewest connections in use in the replica's pool; ties broken round-robin. */
    static final class LeastLoaded implements ReplicaSelector {
        private final RoundRobin tieBreak = new RoundRobin();

        @Override
        public ReplicaCandidate select(List<ReplicaCandidate> candidates) {
            int min = Integer.MAX_VALUE;
            for (ReplicaCandidate c : candidates) {
                min = Math.min(min, c.activeConnections());
            }
            final int least = min;
            List<ReplicaCandidate> best = candidates.stream().filter(c -> c.activeConnections() == least).toList();
            return tieBreak.select(best);
        }
    }

    /**
     * Smooth weighted round-robin (as nginx does): deterministic, and spreads each replica's
     * share evenly over time rather than in bursts.
     */
    static final class Weighted implements ReplicaSelector {
        private final Map<String, Long> current = new HashMap<>();

        @Override
        public synchronized ReplicaCandidate select(List<ReplicaCandidate> candidates) {
            long total = 0;
            ReplicaCandidate best = null;
            long bestValue = Long.MIN_VALUE;
            for (ReplicaCandidate c : candidates) {
                long v = current.getOrDefault(c.name(), 0L) + c.weight();
                current.put(c.name(), v);
                total += c.weight();
                if (v > bestValue) {
                    bestValue = v;
                    best = c;
                }
            }
            current.put(best.name(), bestValue - total);
            return best;
        }
    }

    /** Least lag in bytes at the last monitor check (then in time); ties broken round-robin. */
    static final class LowestLag implements ReplicaSelector {
        private final RoundRobin tieBreak = new RoundRobin();
        private static final Comparator<ReplicaCandidate> ORDER =
                Comparator.comparingLong(ReplicaCandidate::lagBytes).thenComparing(ReplicaCandidate::lag);

        @Override
        public ReplicaCandidate select(List<ReplicaCandidate> candidates) {
            ReplicaCandidate min = candidates.stream().min(ORDER).orElseThrow();
            List<ReplicaCandidate> best = candidates.stream().filter(c -> ORDER.compare(c, min) == 0).toList();
            return tieBreak.select(best);
        }
    }
}
