package dev.replication.it.jta;

import dev.replication.TransactionOutcomeUnknownException;
import dev.replication.testkit.Await;
import dev.replication.testkit.PgNode;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestMethodOrder;

import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/** Node failures under JTA: a replica killed under read load, the primary killed during a commit. */
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
class JtaFaultsTest extends JtaTestBase {

    @Override
    protected String database() {
        return "jta_faults";
    }

    @Override
    protected Map<String, Object> settings() {
        return Map.of("replication.failover", "promote");
    }

    private LedgerService ledger() {
        return weld.select(LedgerService.class).get();
    }

    @Test
    @Order(1)
    void aReplicaKilledUnderReadLoadFailsNoRead() throws Exception {
        ledger().put(1, 42);
        cluster.awaitReplicated(Duration.ofSeconds(10));
        PgNode victim = cluster.replicas().get(0);
        AtomicBoolean stop = new AtomicBoolean();
        AtomicInteger reads = new AtomicInteger();
        List<Throwable> failures = new ArrayList<>();
        ExecutorService pool = Executors.newFixedThreadPool(4);
        List<Future<?>> workers = new ArrayList<>();
        for (int t = 0; t < 4; t++) {
            workers.add(pool.submit(() -> {
                while (!stop.get()) {
                    try {
                        assertThat(ledger().amount(1)).isEqualTo(42);
                        reads.incrementAndGet();
                    } catch (Throwable e) {
                        synchronized (failures) {
                            failures.add(e);
                        }
                    }
                }
            }));
        }
        Await.until("reads under way", Duration.ofSeconds(10), () -> reads.get() > 200);
        victim.kill();
        int atKill = reads.get();
        Await.until("reads after the kill", Duration.ofSeconds(20), () -> reads.get() > atKill + 500);
        stop.set(true);
        for (Future<?> w : workers) {
            w.get(30, TimeUnit.SECONDS);
        }
        pool.shutdown();
        System.out.printf("[jta] replica killed under 4-thread read load: %d reads, %d failed%n", reads.get(), failures.size());
        assertThat(failures).as("failed reads").isEmpty();
        victim.start();
        cluster.awaitReplicated(Duration.ofSeconds(30));
    }

    @Test
    @Order(2)
    void thePrimaryKilledDuringACommitReportsAnUnknownOutcomeThenWritesResumeOnThePromotedStandby() {
        PgNode old = cluster.primary();
        assertThatThrownBy(() -> ledger().putThen(2, 1, old::kill))
                .isInstanceOf(TransactionOutcomeUnknownException.class)
                .hasMessageContaining("may or may not have been committed");
        long killed = System.nanoTime();
        long[] firstWrite = {-1};
        Await.until("a JTA write commits on a promoted standby", Duration.ofSeconds(30), () -> {
            try {
                ledger().put(3, 3);
                firstWrite[0] = System.nanoTime();
                return true;
            } catch (RuntimeException e) {
                return false;
            }
        });
        System.out.printf("[jta] primary SIGKILL -> first committed JTA write: %d ms%n", (firstWrite[0] - killed) / 1_000_000);
        String promoted = replication.status().primary();
        PgNode now = cluster.replicas().stream().filter(n -> n.name().equals(promoted)).findFirst().orElseThrow();
        assertThat(amountOn(now, 3)).isEqualTo(3);
        cluster.adoptPromotion(now);
    }

    private long amountOn(PgNode node, long id) {
        try (Connection c = node.connect(db); PreparedStatement st = c.prepareStatement("SELECT amount FROM Ledger WHERE id = ?")) {
            st.setLong(1, id);
            try (ResultSet rs = st.executeQuery()) {
                return rs.next() ? rs.getLong(1) : -1;
            }
        } catch (SQLException e) {
            throw new IllegalStateException(e);
        }
    }
}
