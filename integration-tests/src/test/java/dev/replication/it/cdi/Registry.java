package dev.replication.it.cdi;

import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.inject.Produces;
import jakarta.inject.Singleton;

/** The application's MeterRegistry: the extension binds the replication meters to it. */
@ApplicationScoped
public class Registry {

    @Produces
    @Singleton
    MeterRegistry registry() {
        return new SimpleMeterRegistry();
    }
}
