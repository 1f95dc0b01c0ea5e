package dev.replication.it.tenancy;

import dev.replication.Replication;
import dev.replication.ReplicationConfigurationException;
import dev.replication.guarantees.GuaranteeMode;
import dev.replication.guarantees.GuaranteeRow;
import dev.replication.guarantees.ReadYourWritesBody;
import dev.replication.guarantees.ReplicaKillBody;
import dev.replication.guarantees.TestkitMode;
import dev.replication.testkit.PgCluster;
import dev.replication.testkit.PgClusterTest;
import dev.replication.testkit.PgNode;
import jakarta.persistence.EntityManager;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;

import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.Statement;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.stream.Collectors;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/**
 * Applications with their own Hibernate multi-tenancy ({@code replication.tenancy}), two customers on
 * one replicated cluster, for each strategy: their rows never cross on any node, reads run on
 * replicas, read-your-writes and a replica kill hold (the shared bodies), and the combinations that
 * cannot work are refused before anything is written. Before 2026-12-07 the library replaced the
 * application's tenant by the node: a write stored {@code customer = 'primary'} and replica reads
 * returned every customer's rows.
 */
@PgClusterTest(replicas = 2)
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class MultiTenantTest {

    private static final List<String> CUSTOMERS = List.of("acme", "globex");

    private static Map<String, Object> tenancy(String mode, String key, String pattern) {
        Map<String, Object> s = new HashMap<>();
        s.put("replication.tenancy", mode);
        if (key != null) {
            s.put(key, pattern);
        }
        s.put("hibernate.tenant_identifier_resolver", Customers.class.getName());
        return s;
    }

    private static Set<Integer> replicaPorts(PgCluster cluster) {
        return cluster.replicas().stream().map(PgNode::port).collect(Collectors.toSet());
    }

    private static int port(EntityManager em) {
        return ((Number) em.createNativeQuery("select inet_server_port()").getSingleResult()).intValue();
    }

    private record Rows(List<String> customers, int port) {
    }

    @Test
    void discriminatorKeepsTheCustomerAndItsFilterOnEveryNode(PgCluster cluster) throws Exception {
        String db = cluster.createDatabase("mt_discriminator");
        try (Connection c = cluster.primary().connect(db)) {
            c.createStatement().execute(GuaranteeRow.DDL);
            c.createStatement().execute(Invoice.DDL);
        }
        try (TestkitMode mode = TestkitMode.on("discriminator", cluster, db, tenancy("discriminator", null, null),
                Invoice.class)) {
            Replication r = mode.replication();
            Map<String, List<Long>> ids = new HashMap<>();
            for (String customer : CUSTOMERS) {
                for (int i = 0; i < (customer.equals("acme") ? 3 : 2); i++) {
                    long amount = 100 + i;
                    long id = Customers.as(customer, () -> r.write(em -> {
                        Invoice inv = new Invoice(amount);
                        em.persist(inv);
                        em.flush();
                        return inv.id();
                    }));
                    ids.computeIfAbsent(customer, k -> new ArrayList<>()).add(id);
                }
            }
            // stamped with the customer, never a node name
            try (Connection c = cluster.primary().connect(db); Statement st = c.createStatement();
                 ResultSet rs = st.executeQuery("SELECT customer, count(*) FROM invoice GROUP BY customer ORDER BY 1")) {
                List<String> seen = new ArrayList<>();
                while (rs.next()) {
                    seen.add(rs.getString(1) + "=" + rs.getLong(2));
                }
                assertThat(seen).containsExactly("acme=3", "globex=2");
            }
            cluster.awaitReplicated(Duration.ofSeconds(30));
            for (String customer : CUSTOMERS) {
                for (int i = 0; i < 4; i++) {
                    Rows rows = Customers.as(customer, () -> r.read(em -> new Rows(
                            em.createQuery("from Invoice", Invoice.class).getResultList().stream()
                                    .map(Invoice::customer).toList(), port(em))));
                    assertThat(rows.customers()).as("%s reads on a replica", customer)
                            .hasSize(customer.equals("acme") ? 3 : 2).containsOnly(customer);
                    assertThat(replicaPorts(cluster)).contains(rows.port());
                }
                String other = customer.equals("acme") ? "globex" : "acme";
                long foreign = ids.get(other).get(0);
                Invoice seen = Customers.as(customer, () -> r.read(em -> em.find(Invoice.class, foreign)));
                assertThat(seen).as("%s reading %s's invoice by id on a replica", customer, other).isNull();
            }
            // a bulk update changes the current customer's rows only
            int updated = Customers.as("acme", () -> r.write(em ->
                    em.createQuery("update Invoice set amount = amount + 1000").executeUpdate()));
            assertThat(updated).isEqualTo(3);
            try (Connection c = cluster.primary().connect(db); Statement st = c.createStatement();
                 ResultSet rs = st.executeQuery("SELECT count(*) FROM invoice WHERE customer = 'globex' AND amount >= 1000")) {
                rs.next();
                assertThat(rs.getLong(1)).isZero();
            }

            // the second-level cache keeps customers apart: acme's invoice, cached by a read on the primary, is not globex's
            long acmeId = ids.get("acme").get(0);
            for (int i = 0; i < 2; i++) {
                Invoice own = Customers.as("acme", () -> r.readStrong(em -> em.find(Invoice.class, acmeId)));
                assertThat(own).isNotNull();
            }
            Invoice strangerOnPrimary = Customers.as("globex", () -> r.readStrong(em -> em.find(Invoice.class, acmeId)));
            assertThat(strangerOnPrimary).as("globex, acme's cached invoice, on the primary").isNull();
            Invoice strangerOnReplica = Customers.as("globex", () -> r.read(em -> em.find(Invoice.class, acmeId)));
            assertThat(strangerOnReplica).as("globex, acme's cached invoice, on a replica").isNull();

            // read-your-writes with replicas held, per customer, and a token does not open another customer's rows
            cluster.replicas().forEach(PgNode::pauseReplay);
            try {
                long mine = Customers.as("globex", () -> r.write(em -> {
                    Invoice inv = new Invoice(7);
                    em.persist(inv);
                    em.flush();
                    return inv.id();
                }));
                Invoice read = Customers.as("globex", () -> r.read(em -> em.find(Invoice.class, mine)));
                assertThat(read).as("globex reads its own write").isNotNull();
                assertThat(read.amount()).isEqualTo(7);
                String token = r.currentToken().orElseThrow().toString();
                Invoice stranger = Customers.as("acme", () -> {
                    try (var bound = r.resume(token).bind()) {
                        return r.read(em -> em.find(Invoice.class, mine));
                    }
                });
                assertThat(stranger).as("acme with globex's token").isNull();
            } finally {
                cluster.replicas().forEach(PgNode::resumeReplay);
            }
            cluster.awaitReplicated(Duration.ofSeconds(30));

            // a replica SIGKILLed under load of both customers: 0 failed, 0 crossed
            killUnderLoad(cluster, mode, r);
        }
    }

    private static void killUnderLoad(PgCluster cluster, GuaranteeMode mode, Replication r) throws Exception {
        AtomicBoolean stop = new AtomicBoolean();
        AtomicInteger reads = new AtomicInteger();
        ConcurrentLinkedQueue<String> failures = new ConcurrentLinkedQueue<>();
        ExecutorService pool = Executors.newFixedThreadPool(4);
        List<Future<?>> load = new ArrayList<>();
        for (int t = 0; t < 4; t++) {
            String customer = CUSTOMERS.get(t % 2);
            load.add(pool.submit(() -> {
                while (!stop.get()) {
                    try {
                        List<String> seen = Customers.as(customer, () -> r.read(em ->
                                em.createQuery("from Invoice", Invoice.class).getResultList().stream()
                                        .map(Invoice::customer).toList()));
                        if (seen.isEmpty() || !seen.stream().allMatch(customer::equals)) {
                            failures.add(customer + " saw " + seen);
                        }
                    } catch (Exception e) {
                        failures.add(e.getClass().getSimpleName() + ": " + e.getMessage());
                    }
                    reads.incrementAndGet();
                }
                return null;
            }));
        }
        try {
            Thread.sleep(1500); // load duration
            mode.killReplica();
            Thread.sleep(3000); // load duration after the kill
        } finally {
            stop.set(true);
            for (Future<?> f : load) {
                f.get(60, TimeUnit.SECONDS);
            }
            pool.shutdownNow();
            mode.restartKilledReplica();
        }
        System.out.printf("[tenancy] discriminator, replica SIGKILL under load of 2 customers: %d failed or crossed of %d reads%n",
                failures.size(), reads.get());
        assertThat(failures).as("failed or crossed reads").isEmpty();
    }

    @Test
    void schemaPerCustomerSetsTheSearchPathOnEveryNode(PgCluster cluster) throws Exception {
        String db = cluster.createDatabase("mt_schema");
        try (Connection c = cluster.primary().connect(db); Statement st = c.createStatement()) {
            for (String customer : CUSTOMERS) {
                st.execute("CREATE SCHEMA tenant_" + customer);
                st.execute(GuaranteeRow.DDL.replace("guarantee_row", "tenant_" + customer + ".guarantee_row"));
            }
        }
        cluster.awaitReplicated(Duration.ofSeconds(30));
        Customers.byDefault("acme");
        try (TestkitMode mode = TestkitMode.on("schema per customer", cluster, db,
                tenancy("schema", "replication.tenancy.schema", "tenant_{tenant}"))) {
            tenantsStayApart(cluster, mode, db, "tenant_%s.guarantee_row", null);
            ReadYourWritesBody.run(mode, 5);
            // every session of a customer, on every pooled connection, has that customer's search_path
            for (int i = 0; i < 30; i++) {
                String customer = CUSTOMERS.get(i % 2);
                String path = Customers.as(customer, () -> mode.replication().read(em ->
                        (String) em.createNativeQuery("SHOW search_path").getSingleResult()));
                assertThat(path).isEqualTo("tenant_" + customer);
            }
            ReplicaKillBody.run(mode, 4, Duration.ofSeconds(1), Duration.ofSeconds(3));
        }
    }

    @Test
    void databasePerCustomerUsesTheCustomersDatabaseOnEveryNode(PgCluster cluster) throws Exception {
        String db = cluster.createDatabase("mt_main");
        for (String customer : CUSTOMERS) {
            String tdb = cluster.createDatabase("tenant_" + customer);
            try (Connection c = cluster.primary().connect(tdb)) {
                c.createStatement().execute(GuaranteeRow.DDL);
            }
        }
        cluster.awaitReplicated(Duration.ofSeconds(30));
        Customers.byDefault("acme");
        try (TestkitMode mode = TestkitMode.on("database per customer", cluster, db,
                tenancy("database", "replication.tenancy.database", "tenant_{tenant}"))) {
            tenantsStayApart(cluster, mode, db, "guarantee_row", "tenant_%s");
            ReadYourWritesBody.run(mode, 5);
            ReplicaKillBody.run(mode, 4, Duration.ofSeconds(1), Duration.ofSeconds(3));
        }
    }

    /** Each customer writes a row; each reads on replicas only its own; the rows are where the strategy puts them. */
    private static void tenantsStayApart(PgCluster cluster, TestkitMode mode, String db, String table,
                                         String databasePattern) throws Exception {
        Replication r = mode.replication();
        for (String customer : CUSTOMERS) {
            Customers.as(customer, () -> mode.insert("row of " + customer));
        }
        for (String customer : CUSTOMERS) {
            String database = databasePattern == null ? db : String.format(databasePattern, customer);
            try (Connection c = cluster.primary().connect(database); Statement st = c.createStatement();
                 ResultSet rs = st.executeQuery("SELECT value FROM " + String.format(table, customer))) {
                List<String> values = new ArrayList<>();
                while (rs.next()) {
                    values.add(rs.getString(1));
                }
                assertThat(values).as("rows stored for %s", customer).containsExactly("row of " + customer);
            }
        }
        cluster.awaitReplicated(Duration.ofSeconds(30));
        for (String customer : CUSTOMERS) {
            for (int i = 0; i < 4; i++) {
                Rows rows = Customers.as(customer, () -> r.read(em -> new Rows(
                        em.createQuery("select g.value from GuaranteeRow g", String.class).getResultList(), port(em))));
                assertThat(rows.customers()).as("%s reads on a replica", customer)
                        .containsExactly("row of " + customer);
                assertThat(replicaPorts(cluster)).contains(rows.port());
            }
        }
    }

    @Test
    void whatCannotWorkIsRefusedBeforeAnythingIsWritten(PgCluster cluster) throws Exception {
        String db = cluster.createDatabase("mt_refused");
        Map<String, Object> create = Map.of("hibernate.hbm2ddl.auto", "create");
        // @TenantId entities with tenants = nodes
        assertThatThrownBy(() -> TestkitMode.on("refused", cluster, db, create, Invoice.class).close())
                .hasStackTraceContaining("have a @TenantId attribute")
                .hasStackTraceContaining(Invoice.class.getName())
                .hasStackTraceContaining("replication.tenancy=discriminator");
        // the application's resolver with tenants = nodes
        Map<String, Object> appResolver = new HashMap<>(create);
        appResolver.put("hibernate.tenant_identifier_resolver", Customers.class.getName());
        assertThatThrownBy(() -> TestkitMode.on("refused", cluster, db, appResolver).close())
                .hasStackTraceContaining("needs 'replication.tenancy' set to discriminator, schema or database");
        // the library's resolver with the application's tenancy
        Map<String, Object> ours = new HashMap<>(create);
        ours.put("replication.tenancy", "discriminator");
        assertThatThrownBy(() -> TestkitMode.on("refused", cluster, db, ours, Invoice.class).close())
                .hasStackTraceContaining("must be the application's own");
        // a bad pattern, named with its key
        Map<String, Object> pattern = new HashMap<>(tenancy("schema", "replication.tenancy.schema", "tenant_x"));
        assertThatThrownBy(() -> TestkitMode.on("refused", cluster, db, pattern).close())
                .isInstanceOf(ReplicationConfigurationException.class)
                .hasMessageContaining("'replication.tenancy.schema'").hasMessageContaining("{tenant}");
        try (Connection c = cluster.primary().connect(db); Statement st = c.createStatement();
             ResultSet rs = st.executeQuery("SELECT count(*) FROM pg_tables WHERE schemaname = 'public'")) {
            rs.next();
            assertThat(rs.getLong(1)).as("tables created by the refused units").isZero();
        }
    }


}
