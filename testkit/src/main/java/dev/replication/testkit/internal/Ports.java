package dev.replication.testkit.internal;

import dev.replication.testkit.PgClusterException;
import java.io.IOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.SecureRandom;
import java.util.HashSet;
import java.util.Set;

/**
 * Free TCP ports on 127.0.0.1, never the same one twice in a JVM. Ports are taken below the
 * kernel's ephemeral range when possible, so a stopped node's port is not grabbed by an outgoing
 * client connection before the node starts again.
 */
public final class Ports {
    private static final Set<Integer> HANDED_OUT = new HashSet<>();
    private static final SecureRandom RANDOM = new SecureRandom();

    private Ports() {
    }

    /** @return a port that was free a moment ago */
    public static synchronized int free() {
        int ephemeralLow = ephemeralLow();
        int low = 15000;
        int high = Math.min(ephemeralLow - 1, 30000);
        if (high - low >= 1000) {
            for (int i = 0; i < 200; i++) {
                int p = low + RANDOM.nextInt(high - low + 1);
                if (!HANDED_OUT.contains(p) && bindable(p)) {
                    HANDED_OUT.add(p);
                    return p;
                }
            }
        }
        for (int i = 0; i < 50; i++) {
            try (ServerSocket s = new ServerSocket(0, 1, InetAddress.getByName("127.0.0.1"))) {
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

    private static boolean bindable(int port) {
        try (ServerSocket s = new ServerSocket()) {
            s.setReuseAddress(true);
            s.bind(new InetSocketAddress(InetAddress.getByName("127.0.0.1"), port), 1);
            return true;
        } catch (IOException e) {
            return false;
        }
    }

    private static int ephemeralLow() {
        try {
            String[] r = Files.readString(Path.of("/proc/sys/net/ipv4/ip_local_port_range")).trim().split("\\s+");
            return Integer.parseInt(r[0]);
        } catch (Exception e) {
            return 32768;
        }
    }
}
