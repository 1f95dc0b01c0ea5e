package dev.replication.guarantees;

import java.util.Set;

/** A mode on a testkit cluster whose faults are {@link ClusterFaults}': only {@link #faults()} to give. */
public interface ClusterFaultsMode extends GuaranteeMode {

    ClusterFaults faults();

    @Override
    default void holdReplicas() {
        faults().holdReplicas();
    }

    @Override
    default void releaseReplicas() {
        faults().releaseReplicas();
    }

    @Override
    default Set<Integer> replicaPorts() {
        return faults().replicaPorts();
    }

    @Override
    default int killReplica() {
        return faults().killReplica();
    }

    @Override
    default void restartKilledReplica() {
        faults().restartKilledReplica();
    }
}
