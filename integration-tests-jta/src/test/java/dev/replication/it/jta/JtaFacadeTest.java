package dev.replication.it.jta;

import dev.replication.ConsistencyScope;
import dev.replication.RoutingOptions;
import org.junit.jupiter.api.Test;

import java.time.Duration;

import static org.assertj.core.api.Assertions.assertThat;

/** The programmatic facade ({@code Replication.read/write}) on a JTA unit, without CDI annotations. */
class JtaFacadeTest extends JtaTestBase {

    @Override
    protected String database() {
        return "jta_facade";
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

    @Test
    void readsAndWritesRunInJtaTransactionsOnTheirNodes() {
        put(1, 1);
        Where w = replication.write(Where::of);
        assertThat(w.port()).isEqualTo(primaryPort());
        assertThat(w.jta()).isTrue();
        cluster.awaitReplicated(Duration.ofSeconds(10));
        Where r = replication.read(Where::of);
        assertThat(r.inRecovery()).isTrue();
        assertThat(r.jta()).isTrue();
        assertThat(transactionActive()).isFalse();
    }

    @Test
    void readYourWritesWithDelayedReplicas() {
        cluster.replicas().forEach(n -> n.setApplyDelay(Duration.ofMillis(40)));
        try (var bound = new ConsistencyScope().bind()) {
            for (int i = 1; i <= 20; i++) {
                put(2, i);
                long v = i;
                Where where = replication.read(em -> {
                    assertThat(em.find(Ledger.class, 2L).getAmount()).isEqualTo(v);
                    return Where.of(em);
                });
                assertThat(where.inRecovery()).isTrue();
            }
        } finally {
            cluster.replicas().forEach(n -> n.setApplyDelay(Duration.ZERO));
        }
    }

    @Test
    void nestingBothWaysAndLeavingTheTransaction() {
        put(3, 0);
        cluster.awaitReplicated(Duration.ofSeconds(10));
        Where[] writeInRead = replication.read(outer -> new Where[]{Where.of(outer),
                replication.write(inner -> {
                    inner.find(Ledger.class, 3L).setAmount(3);
                    return Where.of(inner);
                }), Where.of(outer)});
        assertThat(writeInRead[0].inRecovery()).isTrue();
        assertThat(writeInRead[1].port()).isEqualTo(primaryPort());
        assertThat(writeInRead[2].inRecovery()).isTrue();
        Where[] readInWrite = replication.write(outer -> new Where[]{Where.of(outer),
                replication.read(Where::of),
                replication.read(RoutingOptions.DEFAULT.leavingTransaction(), Where::of)});
        assertThat(readInWrite[0].port()).isEqualTo(primaryPort());
        assertThat(readInWrite[1].port()).isEqualTo(primaryPort());
        assertThat(readInWrite[2].inRecovery()).isTrue();
        long amount = replication.readStrong(em -> em.find(Ledger.class, 3L).getAmount());
        assertThat(amount).isEqualTo(3);
        assertThat(transactionActive()).isFalse();
    }

    @Test
    void insideATransactionSomebodyElseBeganCallsJoinItOnThePrimaryUnlessTheyLeaveIt() throws Exception {
        put(4, 0);
        cluster.awaitReplicated(Duration.ofSeconds(10));
        Pools.TM.begin();
        Where joinedRead;
        Where leftRead;
        try {
            long before = replication.read(em -> em.find(Ledger.class, 4L).getAmount());
            assertThat(before).isZero();
            replication.write(em -> {
                em.find(Ledger.class, 4L).setAmount(4);
                return null;
            });
            joinedRead = replication.read(em -> {
                assertThat(em.find(Ledger.class, 4L).getAmount()).as("sees the caller's uncommitted write").isEqualTo(4);
                return Where.of(em);
            });
            leftRead = replication.read(RoutingOptions.DEFAULT.leavingTransaction(), Where::of);
            assertThat(transactionActive()).as("the caller's transaction is still there").isTrue();
            Pools.TM.commit();
        } catch (Exception | AssertionError e) {
            if (Pools.TM.getTransaction() != null) {
                Pools.TM.rollback();
            }
            throw e;
        }
        assertThat(joinedRead.port()).isEqualTo(primaryPort());
        assertThat(leftRead.inRecovery()).isTrue();
        long amount = replication.readStrong(em -> em.find(Ledger.class, 4L).getAmount());
        assertThat(amount).as("committed by the caller").isEqualTo(4);
    }
}
