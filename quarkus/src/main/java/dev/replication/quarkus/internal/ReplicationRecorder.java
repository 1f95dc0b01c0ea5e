package dev.replication.quarkus.internal;

import io.quarkus.hibernate.orm.runtime.integration.HibernateOrmIntegrationRuntimeInitListener;
import io.quarkus.runtime.annotations.Recorder;

/**
 * Run-time steps recorded by the extension's build (module {@code hibernate-replication-quarkus-deployment}).
 */
@Recorder
public class ReplicationRecorder {

    /** The listener that makes the persistence unit's multi-tenant connection provider the library's. */
    public HibernateOrmIntegrationRuntimeInitListener connectionProvider() {
        return new ConnectionProviderContribution();
    }
}
