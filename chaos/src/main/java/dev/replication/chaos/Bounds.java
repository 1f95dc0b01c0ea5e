package dev.replication.chaos;

import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * The library settings of the run and the time bounds the checker derives from them.
 *
 * @param monitorInterval     {@code replication.monitor.interval}
 * @param monitorTimeout      {@code replication.monitor.timeout}
 * @param connectTimeout      {@code replication.connect-timeout}
 * @param poolTimeout         {@code replication.pool.connection-timeout}
 * @param waitTimeout         {@code replication.consistency.wait-timeout}
 * @param primaryFailures     {@code replication.failover.primary-failures}
 * @param promoteTimeout      {@code replication.failover.promote-timeout}
 * @param readmitAfter        {@code replication.readmit-after}
 * @param nodes               nodes in the configuration
 * @param maxPrimaryStop      the longest SIGSTOP of the primary the schedule injects: shorter than failure detection
 */
record Bounds(Duration monitorInterval, Duration monitorTimeout, Duration connectTimeout, Duration poolTimeout,
              Duration waitTimeout, int primaryFailures, Duration promoteTimeout, int readmitAfter, int nodes,
              Duration maxPrimaryStop) {

    static Bounds defaults(int nodes) {
        Duration interval = Duration.ofSeconds(1);
        int failures = 3;
        return new Bounds(interval, Duration.ofMillis(400), Duration.ofSeconds(1), Duration.ofMillis(500),
                Duration.ofMillis(300), failures, Duration.ofSeconds(10), 3, nodes,
                interval.multipliedBy(failures - 1).minusMillis(800));
    }

    /** The library settings these bounds stand for. */
    Map<String, String> settings() {
        Map<String, String> m = new LinkedHashMap<>();
        m.put("replication.failover", "promote");
        m.put("replication.monitor.interval", monitorInterval.toMillis() + "ms");
        m.put("replication.monitor.timeout", monitorTimeout.toMillis() + "ms");
        m.put("replication.connect-timeout", connectTimeout.toMillis() + "ms");
        m.put("replication.pool.connection-timeout", poolTimeout.toMillis() + "ms");
        m.put("replication.consistency.wait-timeout", waitTimeout.toMillis() + "ms");
        m.put("replication.failover.primary-failures", String.valueOf(primaryFailures));
        m.put("replication.failover.promote-timeout", promoteTimeout.toMillis() + "ms");
        m.put("replication.readmit-after", String.valueOf(readmitAfter));
        m.put("replication.retry-reads", "true");
        m.put("replication.jmx.enabled", "false");
        return m;
    }

    /** How long the monitor needs to see a hung node: a round may check every node up to its timeout. */
    Duration detection() {
        return monitorInterval.plus(monitorTimeout.multipliedBy(nodes));
    }

    /**
     * The longest any call may take: a call blocked on a node that hangs is aborted when the monitor
     * sees the node fail; a read is then retried once and may meet a second hung node; plus waiting
     * for a pooled connection, connecting, waiting for a token, and the longest primary SIGSTOP
     * (shorter than failover detection, so calls on the primary just wait it out).
     */
    Duration callBound() {
        return detection().multipliedBy(2).plus(poolTimeout).plus(connectTimeout).plus(waitTimeout).plus(maxPrimaryStop);
    }

    /** From the primary's SIGKILL to the library's promotion. */
    Duration failoverBound() {
        return monitorInterval.multipliedBy(primaryFailures + 1).plus(detection()).plus(promoteTimeout);
    }

    /**
     * After faults stop, the time until every standby served a read: detection, then
     * {@code readmit-after} good rounds, one more round, and a connection.
     */
    Duration standbyBound() {
        return detection().plus(monitorInterval.multipliedBy(readmitAfter + 1)).plus(connectTimeout);
    }

    Map<String, Object> describe() {
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("settings", settings());
        m.put("callBoundMillis", callBound().toMillis());
        m.put("callBoundFormula", "2 x (monitor.interval + nodes x monitor.timeout) + pool.connection-timeout"
                + " + connect-timeout + consistency.wait-timeout + longest primary SIGSTOP");
        m.put("failoverBoundMillis", failoverBound().toMillis());
        m.put("standbyBoundMillis", standbyBound().toMillis());
        m.put("standbyBoundFormula", "(monitor.interval + nodes x monitor.timeout) + (readmit-after + 1) x monitor.interval"
                + " + connect-timeout");
        m.put("maxPrimaryStopMillis", maxPrimaryStop.toMillis());
        return m;
    }
}
