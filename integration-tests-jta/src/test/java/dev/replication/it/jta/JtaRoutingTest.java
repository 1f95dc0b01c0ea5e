package dev.replication.it.jta;

import dev.replication.ReadOnlyViolationException;
import dev.replication.RoutingDecision;
import dev.replication.RoutingReason;
import dev.replication.spi.RoutingListener;
import org.junit.jupiter.api.Test;

import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicLong;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/** Placement, commit and rollback of annotated calls in JTA transactions (Narayana + Agroal, Weld SE). */
class JtaRoutingTest extends JtaTestBase {
    private static final AtomicLong IDS = new AtomicLong(1);

    @Override
    protected String database() {
        return "jta_routing";
    }

    private LedgerService ledger() {
        return weld.select(LedgerService.class).get();
    }

    private NestingService nesting() {
        return weld.select(NestingService.class).get();
    }

    private OuterService outer() {
        return weld.select(OuterService.class).get();
    }

    private void assertReplica(Where w) {
        assertThat(w.inRecovery()).as("on a replica: %s", w).isTrue();
        assertThat(w.port()).isNotEqualTo(primaryPort());
    }

    private void assertPrimary(Where w) {
        assertThat(w.port()).as("on the primary: %s", w).isEqualTo(primaryPort());
        assertThat(w.inRecovery()).isFalse();
    }

    /** The amount as the primary has it (committed data only). */
    private long committed(long id) {
        return replication.readStrong(em -> {
            Ledger l = em.find(Ledger.class, id);
            return l == null ? -1 : l.getAmount();
        });
    }

    @Test
    void readReplicaWithAndWithoutTransactionalReadsOnAReplicaInAJtaTransaction() {
        for (int i = 0; i < 4; i++) {
            Where plain = ledger().whereRead();
            assertReplica(plain);
            assertThat(plain.jta()).as("the interceptor runs the call in its own JTA transaction").isTrue();
            Where tx = ledger().whereReadTx();
            assertReplica(tx);
            assertThat(tx.jta()).isTrue();
        }
        assertThat(transactionActive()).isFalse();
    }

    @Test
    void readsSpreadOverBothReplicas() {
        Set<Integer> ports = new HashSet<>();
        for (int i = 0; i < 10; i++) {
            ports.add(ledger().whereReadTx().port());
        }
        assertThat(ports).containsExactlyInAnyOrderElementsOf(cluster.replicas().stream().map(n -> n.port()).toList());
    }

    @Test
    void primaryWithAndWithoutTransactionalCommitsOnThePrimary() {
        long a = IDS.getAndIncrement();
        long b = IDS.getAndIncrement();
        Where w1 = ledger().put(a, 10);
        Where w2 = ledger().putNoTx(b, 20);
        assertPrimary(w1);
        assertPrimary(w2);
        assertThat(w1.jta()).isTrue();
        assertThat(w2.jta()).isTrue();
        assertThat(committed(a)).isEqualTo(10);
        assertThat(committed(b)).isEqualTo(20);
    }

    @Test
    void runtimeExceptionsRollBackCheckedOnesCommitPerTransactionalRules() {
        long a = IDS.getAndIncrement();
        long b = IDS.getAndIncrement();
        long c = IDS.getAndIncrement();
        assertThatThrownBy(() -> ledger().putThenFail(a, 1)).isInstanceOf(IllegalStateException.class);
        assertThatThrownBy(() -> ledger().putThenRefuse(b, 2)).isInstanceOf(LedgerService.Refused.class);
        assertThatThrownBy(() -> ledger().putNoTxThenFail(c, 3)).isInstanceOf(IllegalStateException.class);
        assertThat(committed(a)).as("runtime exception under @Transactional: rolled back").isEqualTo(-1);
        assertThat(committed(b)).as("checked exception under @Transactional: committed").isEqualTo(2);
        assertThat(committed(c)).as("runtime exception, the interceptor's own transaction: rolled back").isEqualTo(-1);
        assertThat(transactionActive()).isFalse();
    }

    @Test
    void aWriteInAReadFailsAsReadOnly() {
        assertThatThrownBy(() -> ledger().writeInRead(IDS.getAndIncrement()))
                .isInstanceOf(ReadOnlyViolationException.class);
        assertThat(transactionActive()).isFalse();
    }

    @Test
    void aWriteNestedInAReadRunsInItsOwnTransactionOnThePrimary() {
        long id = IDS.getAndIncrement();
        Where[] w = nesting().readThenWrite(id, 5);
        assertReplica(w[0]);
        assertPrimary(w[1]);
        assertReplica(w[2]);
        assertThat(committed(id)).isEqualTo(5);
    }

    @Test
    void aReadNestedInAWriteStaysInTheWritesTransaction() {
        long id = IDS.getAndIncrement();
        Where[] w = nesting().writeThenRead(id, 6);
        assertPrimary(w[0]);
        assertPrimary(w[1]);
        assertThat(committed(id)).isEqualTo(6);
    }

    @Test
    void aReadInsideACallersTransactionStaysOnTheTransactionsNode() {
        Where w = outer().readInside();
        assertPrimary(w);
        assertThat(w.jta()).isTrue();
    }

    @Test
    void aReadThenAWriteInACallersTransactionBothJoinItOnThePrimary() {
        Recorder rec = new Recorder();
        replication.addListener(rec);
        try {
            long id = IDS.getAndIncrement();
            Where[] w = outer().readThenWriteInside(id, 8);
            assertPrimary(w[0]);
            assertPrimary(w[1]);
            assertThat(committed(id)).isEqualTo(8);
            assertThat(rec.decisions).filteredOn(d -> d.reason() == RoutingReason.PINNED_BY_TRANSACTION).hasSize(2);
        } finally {
            replication.removeListener(rec);
        }
    }

    @Test
    void theOptInReadLeavesTheCallersTransactionAndResumesIt() {
        Recorder rec = new Recorder();
        replication.addListener(rec);
        try {
            long id = IDS.getAndIncrement();
            Where[] w = outer().readLeaving(id, 7);
            assertPrimary(w[0]);
            assertReplica(w[1]);
            assertThat(w[1].jta()).as("its own read-only transaction").isTrue();
            assertThat(w[2].jta()).as("the caller's transaction is resumed").isTrue();
            assertThat(committed(id)).isEqualTo(7);
            assertThat(rec.decisions).anyMatch(d -> d.reason() == RoutingReason.TRANSACTION_SUSPENDED && d.replica());
        } finally {
            replication.removeListener(rec);
        }
    }

    private static final class Recorder implements RoutingListener {
        final List<RoutingDecision> decisions = new CopyOnWriteArrayList<>();

        @Override
        public void routed(RoutingDecision decision) {
            decisions.add(decision);
        }
    }
}
