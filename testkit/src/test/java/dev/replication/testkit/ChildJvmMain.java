package dev.replication.testkit;

/** Run in a child JVM by {@link LifecycleTest}: starts a cluster, prints its dir and pids, then exits or waits. */
public final class ChildJvmMain {
    private ChildJvmMain() {
    }

    /**
     * @param args {@code exit} (System.exit without close: the shutdown hook must stop servers) or
     *     {@code wait} (block until killed)
     * @throws Exception on failure
     */
    public static void main(String[] args) throws Exception {
        PgCluster c = PgCluster.builder().replicas(1).start();
        StringBuilder sb = new StringBuilder("READY ").append(c.directory());
        for (PgNode n : c.nodes()) {
            n.pid().ifPresent(pid -> sb.append(' ').append(pid));
        }
        System.out.println(sb);
        System.out.flush();
        if ("exit".equals(args[0])) {
            System.exit(0);
        }
        Thread.sleep(120_000);
    }
}
