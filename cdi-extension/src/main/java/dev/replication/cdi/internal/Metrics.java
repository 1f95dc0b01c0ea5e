package dev.replication.cdi.internal;

import dev.replication.Replication;
import jakarta.enterprise.inject.Instance;

/**
 * Binds the library's Micrometer meters when the application has Micrometer on its classpath and
 * a {@code MeterRegistry} bean. Without Micrometer no Micrometer class is loaded: the types are
 * only referenced from {@link MicrometerBinding}, which is loaded after the check.
 */
public final class Metrics {
    private static final String REGISTRY = "io.micrometer.core.instrument.MeterRegistry";

    private Metrics() {
    }

    /** The binding to close on shutdown, or {@code null} when there is nothing to bind. */
    public static AutoCloseable bindIfPresent(Replication replication, Instance<Object> beans) {
        try {
            Class.forName(REGISTRY, false, Metrics.class.getClassLoader());
        } catch (ClassNotFoundException | LinkageError e) {
            return null;
        }
        return MicrometerBinding.bind(replication, beans);
    }
}
