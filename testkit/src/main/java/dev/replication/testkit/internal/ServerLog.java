package dev.replication.testkit.internal;

import java.io.IOException;
import java.io.RandomAccessFile;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;

/**
 * Reads a server's log file (its stdout and stderr) for error messages: what it wrote since the
 * last launch, or the end of the file. Read errors come back as text, never as exceptions.
 */
public final class ServerLog {
    private static final int SINCE_LAUNCH_MAX = 8000;
    private static final int TAIL_MAX = 3000;

    private final Path file;
    private volatile long launchOffset;

    /** @param file the log file (may not exist yet) */
    public ServerLog(Path file) {
        this.file = file;
    }

    /** @return the log file */
    public Path file() {
        return file;
    }

    /**
     * Remembers the current end of the file as where the next launch's output begins.
     *
     * @throws IOException if the file's size cannot be read
     */
    public void markLaunch() throws IOException {
        launchOffset = Files.exists(file) ? Files.size(file) : 0;
    }

    /** @return up to 8000 characters written since the last {@link #markLaunch()} */
    public String sinceLaunch() {
        return read(launchOffset, SINCE_LAUNCH_MAX);
    }

    /** @return the last 3000 characters of the file */
    public String tail() {
        try {
            long size = Files.exists(file) ? Files.size(file) : 0;
            return read(Math.max(0, size - TAIL_MAX), TAIL_MAX);
        } catch (IOException e) {
            return "(no log: " + e + ")";
        }
    }

    private String read(long from, int max) {
        try (RandomAccessFile f = new RandomAccessFile(file.toFile(), "r")) {
            long len = Math.min(max, Math.max(0, f.length() - from));
            byte[] b = new byte[(int) len];
            f.seek(from);
            f.readFully(b);
            return new String(b, StandardCharsets.UTF_8);
        } catch (IOException e) {
            return "(no log: " + e + ")";
        }
    }
}
