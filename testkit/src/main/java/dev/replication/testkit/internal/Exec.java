package dev.replication.testkit.internal;

import dev.replication.testkit.PgClusterException;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.TimeUnit;

/** Runs short helper commands and captures their output. */
public final class Exec {
    private Exec() {
    }

    /**
     * Result of a finished command.
     *
     * @param exitCode the exit code
     * @param output stdout and stderr, merged
     */
    public record Result(int exitCode, String output) {
        /** @return whether the exit code is 0 */
        public boolean ok() {
            return exitCode == 0;
        }
    }

    /**
     * Runs a command to completion (at most 120 s).
     *
     * @param cmd the command
     * @param stdin text for stdin, or null
     * @param dir working directory, or null
     * @return the result
     */
    public static Result run(List<String> cmd, String stdin, Path dir) {
        ProcessBuilder pb = new ProcessBuilder(cmd).redirectErrorStream(true);
        pb.environment().put("LC_ALL", "C");
        if (dir != null) {
            pb.directory(dir.toFile());
        }
        try {
            Process p = pb.start();
            if (stdin != null) {
                p.getOutputStream().write(stdin.getBytes(StandardCharsets.UTF_8));
            }
            p.getOutputStream().close();
            byte[] out = p.getInputStream().readAllBytes();
            if (!p.waitFor(120, TimeUnit.SECONDS)) {
                p.destroyForcibly();
                throw new PgClusterException("command did not finish within 120 s: " + cmd);
            }
            return new Result(p.exitValue(), new String(out, StandardCharsets.UTF_8));
        } catch (IOException e) {
            return new Result(127, e.toString());
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new PgClusterException("interrupted running " + cmd, e);
        }
    }
}
