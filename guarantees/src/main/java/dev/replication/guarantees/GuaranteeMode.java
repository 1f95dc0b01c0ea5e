package dev.replication.guarantees;

import java.util.Optional;
import java.util.Set;
import java.util.concurrent.Callable;

/**
 * One deployment mode of the library (topology x transactions x integration x Hibernate line), as
 * the shared test bodies see it: a client that writes and reads rows of one table through the
 * mode's own paths (the facade, CDI beans, HTTP endpoints...), and the cluster's faults.
 * <p>
 * Rows have a numeric id and a text value. A "client" is what carries a read-after-write token in
 * the mode: a thread's scope, a CDI request, an HTTP client sending the token header. Replicas held
 * by {@link #holdReplicas()} must stay usable for reads while held (the mode sets
 * {@code replication.max-lag} well above a body's duration), so that a read without the token would
 * really be served stale by a replica.
 */
public interface GuaranteeMode {

    /** The mode's name in reports and the README's guarantee table. */
    String name();

    /** Inserts a row through the mode's write path, committed on the primary; returns its id. */
    long insert(String value) throws Exception;

    /** Updates a row through the mode's write path. */
    void update(long id, String value) throws Exception;

    /** Reads a row through the mode's replica read path, as the current client. */
    Read read(long id) throws Exception;

    /** The current client's token in its compact form, empty when it has none. */
    Optional<String> token() throws Exception;

    /**
     * Runs {@code work} as another client on another thread, starting from {@code token} (or from
     * nothing when {@code null}): the way the token crosses threads, requests or services here.
     */
    <T> T asOtherClient(String token, Callable<T> work) throws Exception;

    /** Makes every replica apply WAL late (or not at all) until {@link #releaseReplicas()}. */
    void holdReplicas() throws Exception;

    /** Lets the replicas apply WAL again. */
    void releaseReplicas() throws Exception;

    /** The server ports of the replicas that serve reads now. */
    Set<Integer> replicaPorts() throws Exception;

    /** SIGKILLs one replica that serves reads; returns its port. */
    int killReplica() throws Exception;

    /** Starts the replica {@link #killReplica()} killed again (it rejoins as a replica). */
    void restartKilledReplica() throws Exception;

    /**
     * A row read, or {@code value == null} when the row was not there.
     *
     * @param port the server port the read ran on ({@code inet_server_port()})
     */
    record Read(String value, int port) {
    }
}
