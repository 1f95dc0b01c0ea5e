package dev.replication.testkit.internal;

import dev.replication.testkit.PgClusterException;
import java.io.IOException;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.util.HashSet;
import java.util.Set;

/** Free TCP ports on 127.0.0.1, never the same one twice in a JVM. */
public final class Ports {
    private static final Set<Integer> HANDED_OUT = new HashSet<>();

    private Ports() {
    }

    /** @return a port that was free a moment ago */
    public static synchronized int free() {
        for (int i = 0; i < 50; i++) {
            try (ServerSocket s = new ServerSocket(0, 1, InetAddress.getByName("127.0.0.1"))) {
                s.setReuseAddress(true);
                int p = s.getLocalPort();
                if (HANDED_OUT.add(p)) {
                    return p;
                }
            } catch (IOException e) {
                throw new PgClusterException("cannot find a free port on 127.0.0.1: " + e, e);
            }
        }
        throw new PgClusterException("cannot find a free port on 127.0.0.1 not already used by this JVM");
    }
}
