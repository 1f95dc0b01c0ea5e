package dev.replication.internal;

import org.jboss.logging.BasicLogger;
import org.jboss.logging.Logger;
import org.jboss.logging.annotations.Cause;
import org.jboss.logging.annotations.LogMessage;
import org.jboss.logging.annotations.Message;
import org.jboss.logging.annotations.MessageLogger;

import java.lang.invoke.MethodHandles;

import static org.jboss.logging.Logger.Level.DEBUG;
import static org.jboss.logging.Logger.Level.ERROR;
import static org.jboss.logging.Logger.Level.INFO;
import static org.jboss.logging.Logger.Level.WARN;

/**
 * Every log line of the library, with a stable id (HRR000001...). Ids are never reused.
 * State changes are logged once when they happen, never per call. No line carries a password or
 * a URL with credentials.
 */
@MessageLogger(projectCode = "HRR", length = 6)
public interface Log extends BasicLogger {

    Log LOG = Logger.getMessageLogger(MethodHandles.lookup(), Log.class, "dev.replication");

    @LogMessage(level = INFO)
    @Message(id = 1, value = "Replication started: primary '%s', replicas %s, selector %s, consistency %s, failover %s")
    void started(String primary, Object replicas, String selector, Object consistency, Object failover);

    @LogMessage(level = WARN)
    @Message(id = 2, value = "Node '%s' is down: %s")
    void nodeDown(String node, String reason);

    @LogMessage(level = INFO)
    @Message(id = 3, value = "Node '%s' is up again (role %s)")
    void nodeUp(String node, Object role);

    @LogMessage(level = WARN)
    @Message(id = 4, value = "Replica '%s' excluded from reads: %s")
    void replicaExcluded(String node, String reason);

    @LogMessage(level = INFO)
    @Message(id = 5, value = "Replica '%s' readmitted for reads after %d consecutive good checks")
    void replicaReadmitted(String node, int checks);

    @LogMessage(level = WARN)
    @Message(id = 6, value = "No replica qualifies for reads, reading on the primary: %s")
    void noReplicaFallback(String reasons);

    @LogMessage(level = INFO)
    @Message(id = 7, value = "Replicas qualify for reads again")
    void replicasBack();

    @LogMessage(level = WARN)
    @Message(id = 8, value = "Node '%s' reports role %s but routing has it as %s; kept out of routing")
    void roleMismatch(String node, Object observed, Object expected);

    @LogMessage(level = ERROR)
    @Message(id = 9, value = "Primary '%s' failed %d consecutive checks: %s")
    void primaryDown(String node, int failures, String reason);

    @LogMessage(level = WARN)
    @Message(id = 10, value = "Promotion started: promoting standby '%s' (replayed %s, %d bytes behind the last known primary position %s)")
    void promotionStarted(String node, String lsn, long behind, String lastPrimaryLsn);

    @LogMessage(level = WARN)
    @Message(id = 11, value = "Promoted '%s' to primary at %s on timeline %d in %d ms; WAL the old primary '%s' had from %s (end of the standby's recovery) to %s (its last position seen) may be lost: %d bytes")
    void promoted(String node, String lsn, long timeline, long millis, String old, String from, String to, long lostBytes);

    @LogMessage(level = ERROR)
    @Message(id = 12, value = "Fenced node '%s' seen: it reports not in recovery on timeline %d while '%s' is the primary on timeline %d; no session will be routed to it until it is re-attached as a replica")
    void fencedNodeSeen(String node, long timeline, String primary, long primaryTimeline);

    @LogMessage(level = ERROR)
    @Message(id = 13, value = "Promotion of '%s' failed: %s")
    void promotionFailed(String node, String reason);

    @LogMessage(level = INFO)
    @Message(id = 14, value = "Following the primary found on '%s' (timeline %d); previous primary '%s'")
    void followingPrimary(String node, long timeline, String previous);

    @LogMessage(level = WARN)
    @Message(id = 15, value = "Replica '%s' still follows the old primary; kept out of reads until it replays from '%s'")
    void replicaOnOldPrimary(String node, String primary);

    @LogMessage(level = WARN)
    @Message(id = 16, value = "Read on replica '%s' failed before any result (%s); retrying on another node")
    void readRetried(String node, String reason);

    @LogMessage(level = INFO)
    @Message(id = 17, value = "Fenced node '%s' is a replica of '%s' again and may serve reads after readmission")
    void unfenced(String node, String primary);

    @LogMessage(level = WARN)
    @Message(id = 18, value = "Routing listener %s threw; ignored")
    void listenerFailed(Object listener, @Cause Throwable cause);

    @LogMessage(level = INFO)
    @Message(id = 19, value = "Replication stopped")
    void stopped();

    @LogMessage(level = WARN)
    @Message(id = 20, value = "Consistency token %s is ahead of the primary's position %s; capped")
    void tokenCapped(String token, String primary);

    @LogMessage(level = DEBUG)
    @Message(id = 21, value = "Cluster status MXBean registered as %s")
    void mbeanRegistered(String objectName);

    @LogMessage(level = WARN)
    @Message(id = 22, value = "Cluster status MXBean '%s' could not be registered or unregistered: %s")
    void mbeanNotRegistered(String name, String reason);

    @LogMessage(level = WARN)
    @Message(id = 23, value = "Ignoring system property '%s': not a setting of this library (persistence unit settings with unknown replication.* keys fail)")
    void ignoredSystemProperty(String key);

    @LogMessage(level = INFO)
    @Message(id = 24, value = "The second-level cache is on: sessions opened with withOptions().readOnly(true) outside a routing scope read on the primary (their tenant is the primary's, so replica data would be cached as the primary's); use a READ scope (@ReadReplica, Replication.read) to read on replicas")
    void readOnlySessionsOnPrimary();

    @LogMessage(level = WARN)
    @Message(id = 25, value = "The primary gives no connection (%s): Hibernate's connection for JDBC metadata and schema tooling comes from replica '%s', read-only")
    void anyConnectionFromReplica(String primaryFailure, String replica);

    @LogMessage(level = ERROR)
    @Message(id = 26, value = "Primary '%s' failed and no standby is promoted, writes stay unavailable: %s")
    void promotionRefused(String primary, String reasons);

    @LogMessage(level = INFO)
    @Message(id = 27, value = "Standby '%s' pointed at the new primary '%s' (%s:%d): primary_conninfo changed by ALTER SYSTEM, configuration reloaded")
    void standbyRepointed(String standby, String primary, String host, int port);

    @LogMessage(level = WARN)
    @Message(id = 28, value = "Could not point standby '%s' at the new primary '%s': %s; %s retries in %d s, the standby stays out of reads meanwhile")
    void standbyRepointFailed(String standby, String primary, String reason, String key, long retrySeconds);

    @LogMessage(level = INFO)
    @Message(id = 29, value = "Standby '%s' follows the primary '%s' on timeline %d, %d ms after it was pointed at it")
    void standbyFollows(String standby, String primary, long timeline, long millis);

    @LogMessage(level = ERROR)
    @Message(id = 30, value = "Standby '%s' was pointed at '%s' but is still on timeline %d (the primary's is %d) after %d s: it most likely holds WAL the new primary never had; rebuild it with pg_rewind or a new base backup. It gets no reads until then")
    void standbyStranded(String standby, String primary, long timeline, long primaryTimeline, long seconds);

    @LogMessage(level = INFO)
    @Message(id = 31, value = "Patroni member '%s' joined (%s); it serves reads after its readmission checks")
    void patroniMemberJoined(String node, String source);

    @LogMessage(level = INFO)
    @Message(id = 32, value = "Patroni member '%s' removed: %s; no new reads, its pool closes once its connections are back")
    void patroniMemberLeft(String node, String why);

    @LogMessage(level = WARN)
    @Message(id = 33, value = "Patroni REST API unreachable (%s); keeping the last known topology (%d members, leader '%s') and routing on")
    void patroniUnreachable(String reason, int members, String leader);

    @LogMessage(level = INFO)
    @Message(id = 34, value = "Patroni REST API answers again (%s)")
    void patroniBack(String url);

    @LogMessage(level = WARN)
    @Message(id = 35, value = "Patroni member '%s' ignored: its name cannot be a node name (%s)")
    void patroniMemberIgnored(String member, String rule);

    @LogMessage(level = WARN)
    @Message(id = 36, value = "No writes go to '%s': %s")
    void notPatroniLeader(String node, String reason);

    @LogMessage(level = INFO)
    @Message(id = 37, value = "Patroni member '%s': noloadbalance=%s")
    void patroniNoLoadBalance(String node, boolean noLoadBalance);

    @LogMessage(level = WARN)
    @Message(id = 38, value = "Node '%s' left recovery on timeline %d, newer than timeline %d of the primary '%s': promoted elsewhere (Patroni, an operator, another instance); no session is routed to it unless it is followed as the primary or re-attached as a replica")
    void promotedElsewhereSeen(String node, long timeline, long primaryTimeline, String primary);

    @LogMessage(level = WARN)
    @Message(id = 39, value = "Read-after-write position unknown: %s. Reads of the scopes that committed since go to the primary until it answers; a token handed out now does not cover those writes (%d such failures so far; this warning is repeated at most every 10 s)")
    void positionUnknown(String reason, long failures);

    @LogMessage(level = WARN)
    @Message(id = 40, value = "Session of tenant '%s' (a replica) had second-level cache mode %s; set to IGNORE: an entry cached from a replica would never be invalidated by writes on the primary")
    void replicaCacheModeReset(String tenant, Object mode);
}
