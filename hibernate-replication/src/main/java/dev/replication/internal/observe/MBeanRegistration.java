package dev.replication.internal.observe;

import dev.replication.ClusterStatus;
import dev.replication.ReplicationConfig;
import dev.replication.internal.Log;
import dev.replication.jmx.ClusterJmx;

import javax.management.JMException;
import javax.management.ObjectName;
import java.util.Optional;
import java.util.function.Supplier;

/** The cluster status MXBean of one runtime, when {@code replication.jmx.enabled}; a failure to register is logged, not thrown. */
public final class MBeanRegistration implements AutoCloseable {

    private final ClusterJmx.Registration registration;

    private MBeanRegistration(ClusterJmx.Registration registration) {
        this.registration = registration;
    }

    public static MBeanRegistration register(ReplicationConfig config, Supplier<ClusterStatus> status, Runnable checkNow) {
        if (!config.jmxEnabled()) {
            return new MBeanRegistration(null);
        }
        String name = config.jmxName() != null ? config.jmxName()
                : config.primary().url() != null ? ClusterJmx.defaultName(config.primary().url())
                : config.primary().dataSourceName();
        try {
            ClusterJmx.Registration r = ClusterJmx.register(name, status, checkNow);
            Log.LOG.mbeanRegistered(r.objectName().toString());
            return new MBeanRegistration(r);
        } catch (JMException | RuntimeException e) {
            Log.LOG.mbeanNotRegistered(name, String.valueOf(e.getMessage()));
            return new MBeanRegistration(null);
        }
    }

    /** The MXBean's name, empty when JMX is disabled or registration failed. */
    public Optional<ObjectName> objectName() {
        return registration == null ? Optional.empty() : Optional.of(registration.objectName());
    }

    @Override
    public void close() {
        if (registration != null) {
            try {
                registration.close();
            } catch (RuntimeException e) {
                Log.LOG.mbeanNotRegistered(registration.objectName().toString(), String.valueOf(e.getMessage()));
            }
        }
    }
}
