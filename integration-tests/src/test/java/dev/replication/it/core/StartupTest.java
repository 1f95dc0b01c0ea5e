package dev.replication.it.core;

import dev.replication.ConsistencyScope;
import dev.replication.PrimaryUnavailableException;
import dev.replication.Replication;
import dev.replication.testkit.Await;
import dev.replication.testkit.PgNode;
import jakarta.persistence.EntityManagerFactory;
import jakarta.persistence.Persistence;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import java.time.Duration;
import java.util.Map;
import java.util.concurrent.atomic.AtomicLong;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/**
 * Booting a factory whose unit sets no dialect (Hibernate reads JDBC metadata at boot, through
 * {@code getAnyConnection()}): a wrong password fails naming the node and the server's answer;
 * a primary outage does not stop the application, which reads on replicas, refuses writes and
 * writes again once the primary is back.
 */
class StartupTest extends ClusterTestBase {

    private static final String WRONG_PASSWORD = "not-the-password-42";
    private final AtomicLong ids = new AtomicLong(1000);

    @Override
    protected String database() {
        return "startup";
    }

    @BeforeAll
    void createSchemaAndOneRow() {
        ConsistencyScope.current().clear(); // a token of another class's cluster must not make reads wait
        EntityManagerFactory setup = Fixture.emf(cluster, db, Map.of());
        try {
            Replication.of(setup).write(em -> {
                em.persist(new Account(1, "ada", 100));
                return null;
            });
        } finally {
            setup.close();
        }
        cluster.awaitReplicated(Duration.ofSeconds(10));
    }

    @Test
    void wrongPasswordFailsNamingTheNodeAndTheServersCause() {
        Map<String, Object> props = Fixture.properties(cluster, db, Map.of("replication.password", WRONG_PASSWORD));
        assertThatThrownBy(() -> track(Persistence.createEntityManagerFactory("boot-it", props)))
                .satisfies(t -> {
                    String chain = messages(t);
                    assertThat(t.getMessage()).as(chain).contains("'primary'").contains("password authentication failed");
                    assertThat(chain).contains("'primary'").contains("password authentication failed")
                            .doesNotContain(WRONG_PASSWORD);
                    for (PgNode replica : cluster.replicas()) {
                        assertThat(chain).contains("'" + replica.name() + "'");
                    }
                });
    }

    @Test
    void startsDuringAPrimaryOutageReadsOnReplicasAndWritesOnceThePrimaryIsBack() {
        PgNode primary = cluster.primary();
        primary.stop();
        try {
            EntityManagerFactory emf = track(Persistence.createEntityManagerFactory("boot-it",
                    Fixture.properties(cluster, db, Map.of("replication.monitor.interval", "200ms"))));
            Replication r = Replication.of(emf);
            r.monitor().checkNow();

            Fixture.Where where = r.read(Fixture::where);
            assertThat(where.inRecovery()).as("read on a replica").isTrue();
            String owner = r.read(em -> em.find(Account.class, 1L).getOwner());
            assertThat(owner).isEqualTo("ada");

            assertThatThrownBy(() -> insert(r)).isInstanceOf(PrimaryUnavailableException.class)
                    .hasMessageContaining("primary");

            primary.start();
            Await.until("a write after the primary is back", Duration.ofSeconds(20), () -> {
                try {
                    insert(r);
                    return true;
                } catch (PrimaryUnavailableException e) {
                    return false;
                }
            });
            Account written = r.readStrong(em -> em.find(Account.class, ids.get()));
            assertThat(written).isNotNull();
        } finally {
            primary.start();
        }
    }

    private void insert(Replication r) {
        long id = ids.incrementAndGet();
        r.write(em -> {
            em.persist(new Account(id, "grace", 1));
            return null;
        });
    }

    private static String messages(Throwable t) {
        StringBuilder sb = new StringBuilder();
        for (Throwable c = t; c != null; c = c.getCause()) {
            sb.append(c.getClass().getName()).append(": ").append(c.getMessage()).append('\n');
        }
        return sb.toString();
    }
}
