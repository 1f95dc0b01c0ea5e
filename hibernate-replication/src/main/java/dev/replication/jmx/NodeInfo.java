package dev.replication.jmx;

import dev.replication.NodeStatus;

import javax.management.openmbean.CompositeData;
import java.time.Duration;

/**
 * One node's status in the JMX view: a bean of open types, mapped by the MXBean framework to
 * {@link CompositeData}. Unknown numbers are -1; unknown texts are {@code null}.
 */
public final class NodeInfo {
    private final String name;
    private final String role;
    private final String observedRole;
    private final boolean up;
    private final boolean usable;
    private final String excludedReason;
    private final long lagBytes;
    private final long lagMillis;
    private final String replayLsn;
    private final long timeline;
    private final String lastCheck;
    private final int poolActive;
    private final int poolIdle;
    private final int poolWaiting;

    public NodeInfo(String name, String role, String observedRole, boolean up, boolean usable, String excludedReason,
                    long lagBytes, long lagMillis, String replayLsn, long timeline, String lastCheck,
                    int poolActive, int poolIdle, int poolWaiting) {
        this.name = name;
        this.role = role;
        this.observedRole = observedRole;
        this.up = up;
        this.usable = usable;
        this.excludedReason = excludedReason;
        this.lagBytes = lagBytes;
        this.lagMillis = lagMillis;
        this.replayLsn = replayLsn;
        this.timeline = timeline;
        this.lastCheck = lastCheck;
        this.poolActive = poolActive;
        this.poolIdle = poolIdle;
        this.poolWaiting = poolWaiting;
    }

    /** The JMX view of a {@link NodeStatus}. */
    public static NodeInfo of(NodeStatus s) {
        Duration lag = s.lag();
        return new NodeInfo(s.name(), s.configuredRole().name(), s.observedRole().name(), s.up(), s.usable(),
                s.excludedReason(), s.lagBytes(), lag == null ? -1 : lag.toMillis(),
                s.replayLsn() < 0 ? null : lsn(s.replayLsn()), s.timeline(),
                s.lastCheck() == null ? null : s.lastCheck().toString(), s.poolActive(), s.poolIdle(),
                s.poolWaiting());
    }

    /** Rebuilds from the open-type form (used by {@code JMX.newMXBeanProxy}). */
    public static NodeInfo from(CompositeData cd) {
        return new NodeInfo((String) cd.get("name"), (String) cd.get("role"), (String) cd.get("observedRole"),
                (Boolean) cd.get("up"), (Boolean) cd.get("usable"), (String) cd.get("excludedReason"),
                (Long) cd.get("lagBytes"), (Long) cd.get("lagMillis"), (String) cd.get("replayLsn"),
                (Long) cd.get("timeline"), (String) cd.get("lastCheck"), (Integer) cd.get("poolActive"),
                (Integer) cd.get("poolIdle"), (Integer) cd.get("poolWaiting"));
    }

    private static String lsn(long lsn) {
        return Long.toHexString(lsn >>> 32).toUpperCase() + "/" + Long.toHexString(lsn & 0xFFFFFFFFL).toUpperCase();
    }

    /** Node name (also its Hibernate tenant id). */
    public String getName() { return name; }
    /** Role in routing now: PRIMARY, REPLICA, or UNKNOWN (fenced). */
    public String getRole() { return role; }
    /** Role reported by {@code pg_is_in_recovery()} at the last successful check. */
    public String getObservedRole() { return observedRole; }
    /** The last check succeeded. */
    public boolean isUp() { return up; }
    /** May serve reads now. */
    public boolean isUsable() { return usable; }
    /** Why the node is not usable for reads, or {@code null}. */
    public String getExcludedReason() { return excludedReason; }
    /** WAL bytes behind the primary; -1 when unknown. */
    public long getLagBytes() { return lagBytes; }
    /** Time behind the primary in milliseconds; -1 when unknown. */
    public long getLagMillis() { return lagMillis; }
    /** Replayed (replica) or current (primary) WAL position as {@code X/Y}, or {@code null}. */
    public String getReplayLsn() { return replayLsn; }
    /** Timeline at the last check; -1 when unknown. */
    public long getTimeline() { return timeline; }
    /** Time of the node's last check (ISO-8601), or {@code null}. */
    public String getLastCheck() { return lastCheck; }
    /** Connections in use in the node's pool. */
    public int getPoolActive() { return poolActive; }
    /** Idle connections in the node's pool. */
    public int getPoolIdle() { return poolIdle; }
    /** Threads waiting for a connection of the node's pool. */
    public int getPoolWaiting() { return poolWaiting; }

    @Override
    public String toString() {
        return "NodeInfo[" + name + ", role=" + role + ", " + (up ? "up" : "down") + (usable ? ", usable" : "")
                + (excludedReason != null ? ", excluded: " + excludedReason : "") + ", lag=" + lagBytes + "B/"
                + lagMillis + "ms, active=" + poolActive + ", idle=" + poolIdle + ", waiting=" + poolWaiting + "]";
    }
}
