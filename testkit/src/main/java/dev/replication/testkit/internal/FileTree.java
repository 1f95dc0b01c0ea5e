package dev.replication.testkit.internal;

import dev.replication.testkit.PgClusterException;
import java.io.IOException;
import java.nio.file.AccessDeniedException;
import java.nio.file.FileVisitResult;
import java.nio.file.Files;
import java.nio.file.AtomicMoveNotSupportedException;
import java.nio.file.LinkOption;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.SimpleFileVisitor;
import java.nio.file.StandardCopyOption;
import java.nio.file.attribute.BasicFileAttributes;
import java.nio.file.attribute.PosixFilePermission;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.stream.Collectors;
import java.util.stream.Stream;

/** File tree copy and delete helpers, tolerant of files vanishing under a running server. */
public final class FileTree {
    /** Directories whose contents a base backup leaves out (the directory itself is kept). */
    private static final Set<String> SKIP_CONTENTS = Set.of("pg_wal", "pg_replslot", "pg_dynshmem", "pg_notify",
            "pg_serial", "pg_snapshots", "pg_stat_tmp", "pg_subtrans");
    /** Top-level files a base backup leaves out. */
    private static final Set<String> SKIP_FILES = Set.of("postmaster.pid", "postmaster.opts", "backup_label",
            "tablespace_map", "standby.signal", "recovery.signal", "backup_manifest", "current_logfiles",
            "postgresql.auto.conf.tmp", "backup_label.old");

    private FileTree() {
    }

    /**
     * Copies a data directory. For a hot copy ({@code baseBackup}) the files a base backup must
     * leave out are skipped (pid files, WAL, runtime-only directories' contents) and files that
     * vanish during the copy are ignored; pg_wal keeps its subdirectories.
     *
     * @param src source data dir
     * @param dst target data dir (must not exist)
     * @param baseBackup whether this is a copy of a running server
     */
    public static void copyDataDir(Path src, Path dst, boolean baseBackup) {
        if (CP_AVAILABLE) {
            copyWithCp(src, dst, baseBackup);
        } else {
            copyWithJava(src, dst, baseBackup);
        }
    }

    private static final boolean CP_AVAILABLE = Files.isExecutable(Path.of("/bin/cp")) || Files.isExecutable(Path.of("/usr/bin/cp"));

    /** {@code cp -a} is several times faster than a Java copy (copy_file_range / reflinks) and keeps owners. */
    private static void copyWithCp(Path src, Path dst, boolean baseBackup) {
        List<String> cmd = new ArrayList<>(List.of("cp", "-a"));
        try {
            if (!baseBackup) {
                cmd.add("--");
                cmd.add(src.toString());
                cmd.add(dst.toString());
            } else {
                Files.createDirectories(dst);
                setMode(dst, src);
                cmd.add("--");
                List<Path> top;
                try (Stream<Path> s = Files.list(src)) {
                    top = s.sorted().collect(Collectors.toList());
                }
                for (Path p : top) {
                    String name = p.getFileName().toString();
                    if (SKIP_FILES.contains(name)) {
                        continue;
                    }
                    if (SKIP_CONTENTS.contains(name) && Files.isDirectory(p, LinkOption.NOFOLLOW_LINKS)) {
                        Path target = dst.resolve(name);
                        Files.createDirectories(target);
                        setMode(target, p);
                        if (name.equals("pg_wal")) {
                            for (String sub : new String[] {"archive_status", "summaries"}) {
                                if (Files.isDirectory(p.resolve(sub))) {
                                    Files.createDirectories(target.resolve(sub));
                                    setMode(target.resolve(sub), p.resolve(sub));
                                }
                            }
                        }
                        continue;
                    }
                    cmd.add(p.toString());
                }
                cmd.add(dst.toString() + "/");
            }
            Exec.Result r = Exec.run(cmd, null, null);
            if (!r.ok()) {
                List<String> errors = r.output().lines()
                        .filter(l -> !(baseBackup && l.contains("No such file or directory"))).collect(Collectors.toList());
                if (!errors.isEmpty()) {
                    throw new PgClusterException("cannot copy " + src + " to " + dst + ": " + String.join("; ", errors));
                }
            }
            if (baseBackup) {
                try (Stream<Path> s = Files.walk(dst)) {
                    List<Path> junk = s.filter(p -> {
                        String n = p.getFileName().toString();
                        return n.equals("pg_internal.init") || n.startsWith("pgsql_tmp");
                    }).collect(Collectors.toList());
                    for (Path j : junk) {
                        delete(j);
                    }
                }
            }
        } catch (IOException e) {
            throw new PgClusterException("cannot copy " + src + " to " + dst + ": " + e, e);
        }
    }

    private static void copyWithJava(Path src, Path dst, boolean baseBackup) {
        try {
            Files.walkFileTree(src, new SimpleFileVisitor<>() {
                @Override
                public FileVisitResult preVisitDirectory(Path dir, BasicFileAttributes attrs) throws IOException {
                    Path rel = src.relativize(dir);
                    Path target = dst.resolve(rel.toString());
                    Files.createDirectories(target);
                    setMode(target, dir);
                    if (baseBackup && rel.getNameCount() >= 1 && SKIP_CONTENTS.contains(rel.getName(0).toString())) {
                        if (rel.getNameCount() == 1 && rel.toString().equals("pg_wal")) {
                            for (String sub : new String[] {"archive_status", "summaries"}) {
                                if (Files.isDirectory(dir.resolve(sub))) {
                                    Files.createDirectories(target.resolve(sub));
                                    setMode(target.resolve(sub), dir.resolve(sub));
                                }
                            }
                        }
                        return FileVisitResult.SKIP_SUBTREE;
                    }
                    return FileVisitResult.CONTINUE;
                }

                @Override
                public FileVisitResult visitFile(Path file, BasicFileAttributes attrs) throws IOException {
                    Path rel = src.relativize(file);
                    String name = file.getFileName().toString();
                    if (baseBackup && (rel.getNameCount() == 1 && SKIP_FILES.contains(name)
                            || name.equals("pg_internal.init") || name.startsWith("pgsql_tmp"))) {
                        return FileVisitResult.CONTINUE;
                    }
                    Path target = dst.resolve(rel.toString());
                    try {
                        if (attrs.isSymbolicLink()) {
                            Files.createSymbolicLink(target, Files.readSymbolicLink(file));
                        } else {
                            Files.copy(file, target, StandardCopyOption.COPY_ATTRIBUTES, LinkOption.NOFOLLOW_LINKS);
                        }
                    } catch (NoSuchFileException e) {
                        if (!baseBackup) {
                            throw e;
                        }
                    }
                    return FileVisitResult.CONTINUE;
                }

                @Override
                public FileVisitResult visitFileFailed(Path file, IOException exc) throws IOException {
                    if (baseBackup && exc instanceof NoSuchFileException) {
                        return FileVisitResult.CONTINUE;
                    }
                    throw exc;
                }
            });
        } catch (IOException e) {
            throw new PgClusterException("cannot copy " + src + " to " + dst + ": " + e, e);
        }
    }

    private static void setMode(Path target, Path source) throws IOException {
        Files.setPosixFilePermissions(target, Files.getPosixFilePermissions(source));
    }

    /**
     * Deletes a tree if it exists; symlinks are removed, not followed.
     *
     * @param root the tree
     */
    public static void delete(Path root) {
        if (!Files.exists(root, LinkOption.NOFOLLOW_LINKS)) {
            return;
        }
        try {
            Files.walkFileTree(root, new SimpleFileVisitor<>() {
                @Override
                public FileVisitResult visitFile(Path file, BasicFileAttributes attrs) throws IOException {
                    Files.deleteIfExists(file);
                    return FileVisitResult.CONTINUE;
                }

                @Override
                public FileVisitResult visitFileFailed(Path file, IOException exc) throws IOException {
                    if (exc instanceof NoSuchFileException) {
                        return FileVisitResult.CONTINUE;
                    }
                    if (exc instanceof AccessDeniedException) {
                        throw new IOException("cannot delete " + file + " (access denied)", exc);
                    }
                    throw exc;
                }

                @Override
                public FileVisitResult postVisitDirectory(Path dir, IOException exc) throws IOException {
                    Files.deleteIfExists(dir);
                    return FileVisitResult.CONTINUE;
                }
            });
        } catch (IOException e) {
            throw new PgClusterException("cannot delete " + root + ": " + e, e);
        }
    }

    /**
     * Replaces {@code target} by the fully prepared {@code tmp} (atomically where the file system
     * allows), so that readers never see a half-written directory.
     */
    public static void moveIntoPlace(Path tmp, Path target) throws IOException {
        delete(target);
        try {
            Files.move(tmp, target, StandardCopyOption.ATOMIC_MOVE);
        } catch (AtomicMoveNotSupportedException e) {
            Files.move(tmp, target);
        }
    }

    /**
     * Creates a directory (and parents) and sets its mode.
     *
     * @param dir the directory
     * @param mode e.g. {@code rwxr-xr-x}
     * @return the directory
     */
    public static Path mkdirs(Path dir, String mode) {
        try {
            Files.createDirectories(dir);
            Set<PosixFilePermission> perms = PosixFilePermissions.fromString(mode);
            if (!Files.getPosixFilePermissions(dir).equals(perms)) {
                try {
                    Files.setPosixFilePermissions(dir, perms);
                } catch (IOException e) {
                    // not ours (e.g. a shared parent): leave it
                }
            }
            return dir;
        } catch (IOException e) {
            throw new PgClusterException("cannot create directory " + dir + ": " + e, e);
        }
    }
}
