package dev.replication.testkit;

import java.nio.file.Files;

/**
 * Run in a child JVM by {@link PatroniLifecycleTest}: starts a 1-member Patroni cluster, prints
 * {@code READY <dir> <patroni pid> <postmaster pid> <etcd pid>}, then exits without closing or
 * waits to be killed.
 */
public final class PatroniChildJvmMain {
    private PatroniChildJvmMain() {
    }

    /**
     * @param args {@code exit} (System.exit without close: the shutdown hook must stop everything)
     *     or {@code wait} (block until killed)
     * @throws Exception on failure
     */
    public static void main(String[] args) throws Exception {
        PatroniCluster c = PatroniCluster.builder().members(1).start();
        PatroniMember m = c.member("pg1");
        String etcdPid = Files.readString(c.directory().resolve("etcd/process")).trim().split("\\s+")[0];
        System.out.println("READY " + c.directory() + " " + m.patroniPid().orElseThrow() + " "
                + m.postmasterPid().orElseThrow() + " " + etcdPid);
        System.out.flush();
        if ("exit".equals(args[0])) {
            System.exit(0);
        }
        Thread.sleep(120_000);
    }
}
