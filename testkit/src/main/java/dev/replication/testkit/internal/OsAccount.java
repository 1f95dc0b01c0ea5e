package dev.replication.testkit.internal;

import dev.replication.testkit.PgClusterException;
import java.io.IOException;
import java.nio.file.FileSystems;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFileAttributeView;
import java.nio.file.attribute.UserPrincipal;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.Stream;

/**
 * The OS account PostgreSQL processes run as. initdb and postgres refuse to run as root, so when
 * the JVM is root they run as an unprivileged account ({@code testkit.pg.user}, else
 * {@code postgres}, else {@code nobody}) through {@code setpriv} (which execs, so the launched
 * process is the postmaster) or else {@code runuser}; system property {@code testkit.pg.switch}
 * ({@code setpriv} or {@code runuser}) forces one.
 */
public final class OsAccount {
    private static final System.Logger LOG = System.getLogger("dev.replication.testkit");
    private static volatile OsAccount current;

    private final boolean root;
    private final String user;
    private final String tool;
    private final UserPrincipal principal;

    private OsAccount(boolean root, String user, String tool, UserPrincipal principal) {
        this.root = root;
        this.user = user;
        this.tool = tool;
        this.principal = principal;
    }

    /** @return the account for this JVM, determined (and logged, once) on first use */
    public static OsAccount get() {
        OsAccount a = current;
        if (a == null) {
            synchronized (OsAccount.class) {
                a = current;
                if (a == null) {
                    a = detect();
                    current = a;
                }
            }
        }
        return a;
    }

    /** @return whether the JVM runs as root (so servers run as another account) */
    public boolean switchesUser() {
        return root;
    }

    /** @return the account name servers run as */
    public String user() {
        return user;
    }

    /**
     * @return whether the launched process is itself the server (no wrapper process in between),
     *     so {@link Process#pid()} is the postmaster pid
     */
    public boolean execs() {
        return !"runuser".equals(tool);
    }

    /**
     * @param cmd a command to run as the server account
     * @return the command wrapped for the account switch, if any
     */
    public List<String> wrap(List<String> cmd) {
        List<String> out = new ArrayList<>();
        if ("setpriv".equals(tool)) {
            out.addAll(List.of("setpriv", "--reuid=" + user, "--regid=" + groupOf(user), "--init-groups", "--"));
        } else if ("runuser".equals(tool)) {
            out.addAll(List.of("runuser", "-u", user, "--"));
        }
        out.addAll(cmd);
        return out;
    }

    /**
     * Gives a file tree to the server account (no-op when not root). Symlinks are not followed.
     *
     * @param root the tree
     */
    public void chownTree(Path root) {
        if (!this.root) {
            return;
        }
        try (Stream<Path> s = Files.walk(root)) {
            for (Path p : (Iterable<Path>) s::iterator) {
                chown(p);
            }
        } catch (IOException e) {
            throw new PgClusterException("cannot give " + root + " to user " + user + ": " + e, e);
        }
    }

    /**
     * Gives one file to the server account (no-op when not root).
     *
     * @param p the file
     */
    public void chown(Path p) {
        if (!root) {
            return;
        }
        try {
            Files.getFileAttributeView(p, PosixFileAttributeView.class, LinkOption.NOFOLLOW_LINKS).setOwner(principal);
        } catch (IOException e) {
            throw new PgClusterException("cannot give " + p + " to user " + user + ": " + e, e);
        }
    }

    private static boolean jvmIsRoot() {
        try {
            Object uid = Files.getAttribute(Path.of("/proc/self"), "unix:uid");
            return uid instanceof Integer i && i == 0;
        } catch (Exception e) {
            return "root".equals(System.getProperty("user.name"));
        }
    }

    private static String groupOf(String user) {
        Exec.Result r = Exec.run(List.of("id", "-g", user), null, null);
        return r.ok() ? r.output().trim() : user;
    }

    private static OsAccount detect() {
        if (!jvmIsRoot()) {
            return new OsAccount(false, System.getProperty("user.name"), "direct", null);
        }
        List<String> candidates = new ArrayList<>();
        String configured = System.getProperty("testkit.pg.user");
        if (configured != null && !configured.isBlank()) {
            candidates.add(configured.trim());
        } else {
            candidates.add("postgres");
            candidates.add("nobody");
        }
        StringBuilder tried = new StringBuilder();
        for (String u : candidates) {
            UserPrincipal principal;
            try {
                principal = FileSystems.getDefault().getUserPrincipalLookupService().lookupPrincipalByName(u);
            } catch (IOException | UnsupportedOperationException e) {
                tried.append(" user '").append(u).append("' does not exist;");
                continue;
            }
            String uid = Exec.run(List.of("id", "-u", u), null, null).output().trim();
            if ("0".equals(uid)) {
                tried.append(" user '").append(u).append("' is root;");
                continue;
            }
            String forced = System.getProperty("testkit.pg.switch");
            List<String> tools = forced != null && !forced.isBlank() ? List.of(forced.trim()) : List.of("setpriv", "runuser");
            for (String tool : tools) {
                OsAccount a = new OsAccount(true, u, tool, principal);
                Exec.Result r = Exec.run(a.wrap(List.of("true")), null, null);
                if (r.ok()) {
                    LOG.log(System.Logger.Level.INFO, "testkit: JVM runs as root; PostgreSQL processes run as user ''{0}'' (uid {1}) via {2}",
                            u, uid, tool);
                    return a;
                }
                tried.append(' ').append(tool).append(" -> '").append(u).append("' failed: ")
                        .append(r.output().trim()).append(';');
            }
        }
        throw new PgClusterException("testkit: the JVM runs as root, and initdb/postgres refuse to run as root, but no "
                + "unprivileged account could be used:" + tried
                + " Fix: run the build as a non-root user, or create a 'postgres' user (useradd -r postgres), or set "
                + "-Dtestkit.pg.user=<account>, and make sure setpriv or runuser (util-linux) is installed.");
    }
}
