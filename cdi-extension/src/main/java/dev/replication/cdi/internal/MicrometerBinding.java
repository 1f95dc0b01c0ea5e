package dev.replication.cdi.internal;

import dev.replication.Replication;
import dev.replication.micrometer.ReplicationMetrics;
import io.micrometer.core.instrument.MeterRegistry;
import jakarta.enterprise.inject.Instance;
import org.jboss.logging.Logger;

/** Only loaded when Micrometer is on the classpath (see {@link Metrics}). */
final class MicrometerBinding {
    private static final Logger LOG = Logger.getLogger(MicrometerBinding.class);

    private MicrometerBinding() {
    }

    static AutoCloseable bind(Replication replication, Instance<Object> beans) {
        Instance<MeterRegistry> registries = beans.select(MeterRegistry.class);
        if (registries.isUnsatisfied()) {
            return null;
        }
        if (registries.isAmbiguous()) {
            LOG.warnf("Several MeterRegistry beans: replication meters are not bound automatically; call"
                    + " ReplicationMetrics.bind(replication, registry) with the one to use");
            return null;
        }
        return ReplicationMetrics.bind(replication, registries.get());
    }
}
