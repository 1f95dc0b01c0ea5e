package dev.replication.quarkus.deployment;

import io.quarkus.builder.item.SimpleBuildItem;

import java.util.List;
import java.util.Optional;
import java.util.stream.Stream;

/**
 * Present when Dev Services start a replicated cluster for the application: which Quarkus data source each started
 * server serves, and the cluster's settings.
 */
public final class DevClusterPlanBuildItem extends SimpleBuildItem {

    private final Plan plan;

    DevClusterPlanBuildItem(Plan plan) {
        this.plan = plan;
    }

    Plan plan() {
        return plan;
    }

    /**
     * The cluster to start, as a value: equality decides whether a running cluster is reused (dev mode restarts,
     * test profiles).
     *
     * @param primaryDataSource the data source of the primary node ({@code <default>} for the unnamed one)
     * @param replicaDataSources the data sources of the replica nodes, in {@code replication.replicas} order
     * @param replicasSetting the {@code replication.replicas} value Dev Services set, when the application sets none
     * @param version the zonky binaries version, empty for the testkit's default
     * @param database the database created for the application
     */
    record Plan(String primaryDataSource, List<String> replicaDataSources, Optional<String> replicasSetting,
                Optional<String> version, String database) {

        List<String> allDataSources() {
            return Stream.concat(Stream.of(primaryDataSource), replicaDataSources.stream()).toList();
        }
    }
}
