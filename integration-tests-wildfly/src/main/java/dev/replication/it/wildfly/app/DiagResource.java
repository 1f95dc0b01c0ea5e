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

    /** The persistence provider class running the unit, and its version. */
    @GET
    @Path("/provider")
    public String provider() {
        Class<?> c = containerUnit.getClass();
        Package p = c.getPackage();
        return c.getName() + "|" + (p == null ? "" : p.getImplementationVersion());
    }
}
