package dev.replication.it.jta;

import dev.replication.ConsistencyScope;
import dev.replication.ConsistencyToken;
import dev.replication.RoutingDecision;
import dev.replication.RoutingReason;
import dev.replication.micrometer.ReplicationMetrics;
import dev.replication.spi.RoutingListener;
import dev.replication.testkit.Await;
import dev.replication.testkit.PgNode;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import jakarta.transaction.Synchronization;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

import java.sql.Connection;
import java.sql.SQLException;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.Callable;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicReference;
import java.util.stream.Collectors;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Read-after-write tokens of JTA commits when the primary's data source refuses connections at the
 * wrong moment.
 * <p>
 * The primary is an {@link IronJacamarLikeDataSource}: like WildFly's IronJacamar pools it throws
 * {@code IJ000460: Error checking for a transaction} from {@code getConnection()} while a completed
 * transaction is still associated with the thread, i.e. inside {@code afterCompletion}.
 * <p>
 * <b>Before commit 13c6f97</b> {@code JtaCommits.Sync.afterCompletion(COMMITTED)} asked the primary for
 * its position right there ({@code runtime.primaryCommittedLsnOutsideTransaction()}, a connection of
 * the primary's data source taken on the committing thread, the completed transaction still
 * associated). With this pool that connection was refused: the position came back -1, the commit got
 * no token (logged at DEBUG only), and the next read of the same thread went to a replica with the
 * previous token (or none), so with replay paused {@link #readYourWritesWhenThePoolRefusesConnectionsInAfterCompletion}
 * saw every read stale (and the scope had no token to hand to another thread). Run against a copy of the
 * tree at 1be17e6 (the commit before; this class without the fallback test, whose API did not exist), it
 * failed so: 40 stale of 40 reads, all on replicas, 41 connections refused in afterCompletion, no token.
 * Since 13c6f97 nothing is asked in {@code afterCompletion}: the scope gets a pending position, resolved
 * at the first read that needs it, with the caller's transaction suspended (0 stale, 0 connections asked
 * in afterCompletion).
 * <p>
 * {@link #aPositionThePrimaryCannotGiveSendsTheReadToThePrimaryThenReadsGoBackToReplicas} covers the
 * fallback when even that question gets no answer.
 */
class JtaRefusingPoolTokenTest extends JtaTestBase {

    private IronJacamarLikeDataSource primary;
    private final ExecutorService others = Executors.newCachedThreadPool();

    @Override
    protected String database() {
        return "jta_refusing_pool";
    }

    @Override
    protected Map<String, Object> settings() {
        return Map.of("replication.consistency.wait-timeout", "300ms", "replication.max-lag", "60s");
    }

    @Override
    protected void nodes(Map<String, Object> props) {
        super.nodes(props);
        primary = new IronJacamarLikeDataSource(pools.byNode.get("primary"), Pools.TM);
        props.put("replication.primary.datasource", primary);
    }

    @AfterAll
    void stopOthers() {
        others.shutdownNow();
    }

    @AfterEach
    void restore() {
        primary.refuseNext(null, 0);
        for (PgNode n : cluster.replicas()) {
            n.resumeReplay();
            n.setApplyDelay(Duration.ZERO);
        }
        cluster.awaitReplicated(Duration.ofSeconds(30));
    }

    /** What a read saw and where it ran. */
    private record Seen(long amount, int port) {
    }

    private void put(long id, long amount) {
        replication.write(em -> {
            Ledger l = em.find(Ledger.class, id);
            if (l == null) {
                em.persist(new Ledger(id, amount));
            } else {
                l.setAmount(amount);
            }
            return null;
        });
    }

    private Seen read(long id) {
        return replication.read(em -> {
            Ledger l = em.find(Ledger.class, id);
            int port = ((Number) em.createNativeQuery("SELECT inet_server_port()").getSingleResult()).intValue();
            return new Seen(l == null ? -1 : l.getAmount(), port);
        });
    }

    /** Runs {@code work} on another thread, in a scope resumed from {@code token} (none when null). */
    private <T> T onOtherThread(String token, Callable<T> work) throws Exception {
        return others.submit(() -> {
            ConsistencyScope scope = token == null ? new ConsistencyScope() : ConsistencyScope.resume(token);
            try (ConsistencyScope.Binding b = scope.bind()) {
                return work.call();
            }
        }).get(60, TimeUnit.SECONDS);
    }

    private Set<Integer> replicaPorts() {
        return cluster.replicas().stream().map(PgNode::port).collect(Collectors.toSet());
    }

    /** The fixture itself: inside afterCompletion the wrapper refuses like IronJacamar, outside it gives connections. */
    private void assertThePoolRefusesInAfterCompletion() throws Exception {
        AtomicReference<Throwable> inCompletion = new AtomicReference<>();
        Pools.TM.begin();
        Pools.TM.getTransaction().registerSynchronization(new Synchronization() {
            @Override
            public void beforeCompletion() {
            }

            @Override
            public void afterCompletion(int status) {
                try (Connection c = primary.getConnection()) {
                    inCompletion.set(new AssertionError("a connection was given in afterCompletion: " + c));
                } catch (SQLException e) {
                    inCompletion.set(e);
                }
            }
        });
        Pools.TM.commit();
        assertThat(inCompletion.get()).isInstanceOf(SQLException.class).hasMessage(IronJacamarLikeDataSource.IJ000460);
        try (Connection c = primary.getConnection()) {
            assertThat(c.isValid(1)).as("outside a completed transaction the pool gives connections").isTrue();
        }
    }

    @Test
    void readYourWritesWhenThePoolRefusesConnectionsInAfterCompletion() throws Exception {
        assertThePoolRefusesInAfterCompletion();
        int refusedBefore = primary.refusedInCompletion();
        put(1, 0);
        cluster.awaitReplicated(Duration.ofSeconds(10));
        cluster.replicas().forEach(PgNode::pauseReplay);
        Set<Integer> replicas = replicaPorts();
        int cycles = 40;
        int stale = 0;
        int onReplicas = 0;
        String token;
        try (ConsistencyScope.Binding b = new ConsistencyScope().bind()) {
            for (int i = 1; i <= cycles; i++) {
                if (i % 2 == 0) {
                    put(1, i); // the facade: a JTA transaction begun through Hibernate
                } else {
                    weld.select(LedgerService.class).get().put(1, i); // @Primary @Transactional (Narayana's interceptor)
                }
                Seen s = read(1);
                stale += s.amount() == i ? 0 : 1;
                onReplicas += replicas.contains(s.port()) ? 1 : 0;
            }
            token = ConsistencyScope.current().token().map(ConsistencyToken::toString).orElse(null);
        }
        Seen control = onOtherThread(null, () -> read(1));
        Seen handed = token == null ? null : onOtherThread(token, () -> read(1));
        System.out.printf("[jta] IronJacamar-like primary pool, replay paused: %d stale of %d reads (%d on replicas);"
                        + " token %s handed to another thread read %s; %d connections refused in afterCompletion%n",
                stale, cycles, onReplicas, token, handed, primary.refusedInCompletion() - refusedBefore);
        assertThat(replicas).as("a read without the token ran on a replica").contains(control.port());
        assertThat(control.amount()).as("replay is paused: without the token a replica serves the old row").isZero();
        assertThat(stale).as("stale reads of %d after JTA commits", cycles).isZero();
        assertThat(primary.refusedInCompletion() - refusedBefore).as("connections asked in afterCompletion").isZero();
        assertThat(token).as("the scope holds a token after its JTA commits").isNotNull();
        assertThat(handed.amount()).as("the token handed to another thread covers the last write").isEqualTo(cycles);

        // replicas applying late but within the wait: reads wait on a replica for the token and see the write there
        cluster.replicas().forEach(PgNode::resumeReplay);
        cluster.awaitReplicated(Duration.ofSeconds(30));
        cluster.replicas().forEach(n -> n.setApplyDelay(Duration.ofMillis(60)));
        int delayedStale = 0;
        int delayedOnReplicas = 0;
        try (ConsistencyScope.Binding b = new ConsistencyScope().bind()) {
            for (int i = 1; i <= 20; i++) {
                put(1, 1000 + i);
                Seen s = read(1);
                delayedStale += s.amount() == 1000 + i ? 0 : 1;
                delayedOnReplicas += replicas.contains(s.port()) ? 1 : 0;
            }
        }
        System.out.printf("[jta] IronJacamar-like primary pool, 60 ms apply delay: %d stale of 20 reads, %d on replicas%n",
                delayedStale, delayedOnReplicas);
        assertThat(delayedStale).as("stale reads with a 60 ms apply delay").isZero();
        assertThat(delayedOnReplicas).as("reads waited for the token on replicas (the token is not ahead of the write)")
                .isPositive();
    }

    @Test
    void aPositionThePrimaryCannotGiveSendsTheReadToThePrimaryThenReadsGoBackToReplicas() throws Exception {
        SimpleMeterRegistry registry = new SimpleMeterRegistry();
        List<RoutingDecision> decisions = new CopyOnWriteArrayList<>();
        List<String> unknown = new CopyOnWriteArrayList<>();
        RoutingListener listener = new RoutingListener() {
            @Override
            public void routed(RoutingDecision decision) {
                decisions.add(decision);
            }

            @Override
            public void positionUnknown(String reason) {
                unknown.add(reason);
            }
        };
        Set<Integer> replicas = replicaPorts();
        put(2, 0);
        cluster.awaitReplicated(Duration.ofSeconds(10));
        cluster.replicas().forEach(PgNode::pauseReplay);
        try (ReplicationMetrics metrics = ReplicationMetrics.bind(replication, registry);
             LogLines logs = new LogLines();
             ConsistencyScope.Binding b = new ConsistencyScope().bind()) {
            replication.addListener(listener);
            try {
                put(2, 1);
                // after the commit, before the read: the primary's data source refuses the question
                primary.refuseNext(Thread.currentThread(), 1);
                decisions.clear();
                Seen s = read(2);
                assertThat(primary.refusedBySwitch()).as("the pending position's question was refused").isEqualTo(1);
                assertThat(s.amount()).as("the read sees the write").isEqualTo(1);
                assertThat(s.port()).as("the read ran on the primary").isEqualTo(primaryPort());
                assertThat(decisions).as("routing decisions of the read").hasSize(1);
                assertThat(decisions.get(0).reason()).isEqualTo(RoutingReason.TOKEN_UNKNOWN);
                assertThat(decisions.get(0).replica()).isFalse();
                assertThat(unknown).as("RoutingListener.positionUnknown").hasSize(1);
                assertThat(logs.lines("HRR000039")).as("the warning").hasSize(1)
                        .allMatch(l -> l.startsWith("dev.replication WARN "));
                assertThat(registry.get(ReplicationMetrics.TOKEN_UNKNOWN).counter().count()).isEqualTo(1.0);
                System.out.printf("[jta] position refused: read on %s (%s); %s; %s = %.0f%n",
                        decisions.get(0).node(), decisions.get(0).reason(), logs.lines("HRR000039").get(0),
                        ReplicationMetrics.TOKEN_UNKNOWN, registry.get(ReplicationMetrics.TOKEN_UNKNOWN).counter().count());

                // the data source accepts again; replicas catch up: reads with the token go back to replicas
                cluster.replicas().forEach(PgNode::resumeReplay);
                cluster.awaitReplicated(Duration.ofSeconds(30));
                long released = System.nanoTime();
                Seen[] last = new Seen[1];
                Await.until("reads with the token back on a replica", Duration.ofSeconds(30), () -> {
                    last[0] = read(2);
                    assertThat(last[0].amount()).isEqualTo(1);
                    return replicas.contains(last[0].port());
                });
                String token = ConsistencyScope.current().token().map(ConsistencyToken::toString).orElseThrow();
                Seen handed = onOtherThread(token, () -> read(2));
                System.out.printf("[jta] back on replica port %d %d ms after the replicas caught up; token %s handed"
                                + " to another thread read %d on port %d%n", last[0].port(),
                        (System.nanoTime() - released) / 1_000_000, token, handed.amount(), handed.port());
                assertThat(handed.amount()).isEqualTo(1);
                assertThat(replicas).contains(handed.port());
                assertThat(registry.get(ReplicationMetrics.TOKEN_UNKNOWN).counter().count())
                        .as("no further unknown position").isEqualTo(1.0);
                assertThat(decisions).as("no TOKEN_UNKNOWN decision once the primary answered").filteredOn(
                        d -> d.reason() == RoutingReason.TOKEN_UNKNOWN).hasSize(1);
            } finally {
                replication.removeListener(listener);
            }
        }
    }
}
