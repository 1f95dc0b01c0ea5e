package dev.replication.it.wildfly.app;

import dev.replication.cdi.ReplicationLag;
import dev.replication.cdi.RoutedPersistence;
import jakarta.enterprise.context.RequestScoped;
import jakarta.inject.Inject;
import jakarta.persistence.EntityManagerFactory;
import jakarta.persistence.PersistenceUnit;
import jakarta.ws.rs.GET;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.Produces;
import jakarta.ws.rs.core.MediaType;

import java.lang.management.ManagementFactory;
import java.util.TreeSet;
import java.util.stream.Collectors;

/** What the tests check about the deployment itself. */
@Path("/diag")
@RequestScoped
@Produces(MediaType.TEXT_PLAIN)
public class DiagResource {

    @PersistenceUnit
    EntityManagerFactory containerUnit;

    @Inject
    RoutedPersistence persistence;

    @Inject
    ReplicationLag lag;

    /** {@code true} when, after a check now, every replica is healthy within 5 s of lag. */
    @GET
    @Path("/healthy")
    public String healthy() {
        lag.checkNow();
        return Boolean.toString(!lag.replicas().isEmpty()
                && lag.replicas().stream().allMatch(r -> lag.isHealthy(r, java.time.Duration.ofSeconds(5))));
    }

    /** The second-level cache as the server set it up: region factory and cache keys factory settings. */
    @GET
    @Path("/cache")
    public String cache() {
        java.util.Map<String, Object> p = containerUnit.getProperties();
        return p.get("hibernate.cache.region.factory_class") + "|" + p.get("hibernate.cache.keys_factory") + "|"
                + p.get("hibernate.cache.use_second_level_cache") + "|" + p.get("jakarta.persistence.sharedCache.mode");
    }

    @Inject
    TxProbe txProbe;

    /** What the transaction manager allows in an interposed beforeCompletion (where Hibernate flushes at commit). */
    @GET
    @Path("/before-completion")
    public String beforeCompletion() {
        String seen = txProbe.probe().get();
        return seen + "; then the interposed one got " + txProbe.interposedAfter();
    }

    /** The library's view of the cluster. */
    @GET
    @Path("/status")
    public String status() {
        return String.valueOf(lag.status());
    }

    /** Names of the JVM's threads named {@code replication-*} (the library's), sorted, one a line. */
    @GET
    @Path("/threads")
    public String threads() {
        return Thread.getAllStackTraces().keySet().stream().map(Thread::getName)
                .filter(n -> n.startsWith("replication-"))
                .collect(Collectors.toCollection(TreeSet::new)).stream().collect(Collectors.joining("\n"));
    }

    /** The library's MBeans in the platform MBean server, one a line. */
    @GET
    @Path("/mbeans")
    public String mbeans() throws Exception {
        return ManagementFactory.getPlatformMBeanServer().queryNames(null, null).stream()
                .map(Object::toString).filter(n -> n.startsWith("dev.replication"))
                .sorted().collect(Collectors.joining("\n"));
    }

    /**
     * Whether the CDI extension routes the container's persistence unit: {@code container} when its factory is the one
     * {@code @PersistenceUnit} injects, else {@code other}.
     */
    @GET
    @Path("/unit")
    public String unit() {
        EntityManagerFactory routed = persistence.entityManagerFactory();
        if (routed == containerUnit) {
            return "container";
        }
        Object a = routed.unwrap(Object.class);
        Object b = containerUnit.unwrap(Object.class);
        return a == b ? "container" : "other: " + routed.getClass().getName() + " vs " + containerUnit.getClass().getName();
    }

    /**
     * The persistence provider class running the unit, its version, and the JTA platform the server set
     * ({@code hibernate.transaction.jta.platform}, left out of persistence.xml): {@code class|version|platform}.
     */
    @GET
    @Path("/provider")
    public String provider() {
        Class<?> c = containerUnit.getClass();
        Package p = c.getPackage();
        Object platform = containerUnit.unwrap(org.hibernate.engine.spi.SessionFactoryImplementor.class)
                .getServiceRegistry().getService(org.hibernate.engine.transaction.jta.platform.spi.JtaPlatform.class);
        return c.getName() + "|" + (p == null ? "" : p.getImplementationVersion()) + "|"
                + (platform == null ? "" : platform.getClass().getName());
    }
}
