package dev.replication.internal.config;

import dev.replication.ReplicationConfigurationException;

import java.io.IOException;
import java.nio.charset.CharacterCodingException;
import java.nio.file.AccessDeniedException;
import java.nio.file.Files;
import java.nio.file.InvalidPathException;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.List;
import java.util.Locale;
import java.util.regex.Pattern;
import java.util.stream.Stream;

/**
 * Where passwords come from, and where they must not be. A scope (the default, the primary, one
 * replica) gives its password with exactly one of three keys: the password itself, the name of an
 * environment variable holding it, or the path of a file holding it (trailing line breaks
 * removed). No message ever contains a password: they name keys, variables and paths only.
 */
final class Passwords {
    /** Why a placeholder arrives empty. */
    static final String PLACEHOLDER_RULE = "Hibernate replaces ${name} in its settings with the system property"
            + " 'name', and with nothing when there is no such system property (the setting arrives empty, or"
            + " Hibernate 7 removes it), so ${env.DB_PASSWORD} and the like never reach the library";

    private static final Pattern URL_PASSWORD_PARAMETER = Pattern.compile("[?&;]password=",
            Pattern.CASE_INSENSITIVE);

    private Passwords() {
    }

    /** The password of one scope, or {@code null} when none of its three keys is given. */
    static String resolve(SettingsReader r, String literalKey, String envKey, String fileKey) {
        List<String> given = Stream.of(literalKey, envKey, fileKey).filter(r::present).toList();
        if (given.size() > 1) {
            throw new ReplicationConfigurationException("Settings '" + String.join("' and '", given)
                    + "' both give the same password: give exactly one of '" + literalKey + "', '" + envKey
                    + "' (an environment variable's name) or '" + fileKey + "' (a file's path)");
        }
        if (given.isEmpty()) {
            return null;
        }
        String key = given.get(0);
        String value = r.raw(key);
        if (value.isEmpty()) {
            throw new ReplicationConfigurationException("Setting '" + key + "' is empty. " + PLACEHOLDER_RULE
                    + ". Name where the password lives instead: '" + envKey + "' (an environment variable's name) or '"
                    + fileKey + "' (a file's path)");
        }
        if (key.equals(literalKey)) {
            return value;
        }
        return key.equals(envKey) ? fromEnvironment(r, key, value) : fromFile(key, value);
    }

    private static String fromEnvironment(SettingsReader r, String key, String name) {
        String value = r.env(name);
        if (value == null) {
            throw new ReplicationConfigurationException("Environment variable '" + name + "' named by '" + key
                    + "' is not set");
        }
        if (value.isEmpty()) {
            throw new ReplicationConfigurationException("Environment variable '" + name + "' named by '" + key
                    + "' is empty");
        }
        return value;
    }

    private static String fromFile(String key, String pathText) {
        Path path;
        try {
            path = Path.of(pathText);
        } catch (InvalidPathException e) {
            throw new ReplicationConfigurationException("Setting '" + key + "' names '" + pathText
                    + "', which is not a valid file path");
        }
        String text;
        try {
            text = Files.readString(path);
        } catch (IOException e) {
            throw new ReplicationConfigurationException("File '" + path + "' named by '" + key + "' cannot be read: "
                    + reason(e));
        }
        int end = text.length();
        while (end > 0 && (text.charAt(end - 1) == '\n' || text.charAt(end - 1) == '\r')) {
            end--;
        }
        if (end == 0) {
            throw new ReplicationConfigurationException("File '" + path + "' named by '" + key + "' is empty");
        }
        return text.substring(0, end);
    }

    private static String reason(IOException e) {
        if (e instanceof NoSuchFileException) {
            return "no such file";
        }
        if (e instanceof AccessDeniedException) {
            return "access denied";
        }
        if (e instanceof CharacterCodingException) {
            return "not UTF-8 text";
        }
        return e.getClass().getSimpleName();
    }

    /**
     * Fails when the JDBC URL of {@code key} carries a password ({@code password=} parameter or
     * {@code user:password@} before the host), without showing the URL.
     */
    static void rejectInUrl(String key, String url) {
        String where = null;
        if (URL_PASSWORD_PARAMETER.matcher(url).find()) {
            where = "its 'password' parameter";
        } else {
            int start = url.indexOf("//");
            int query = url.indexOf('?');
            String authority = start < 0 ? "" : url.substring(start + 2, query > start ? query : url.length());
            int at = authority.lastIndexOf('@');
            if (at >= 0 && authority.substring(0, at).contains(":")) {
                where = "'user:password@' before the host";
            }
        }
        if (where != null) {
            throw new ReplicationConfigurationException("Setting '" + key + "' has a password in the JDBC URL ("
                    + where + "; the URL is not shown). pgjdbc logs URLs and Hibernate prints its settings: remove it"
                    + " and give the password with the password keys, best by reference: replication.password-env or"
                    + " replication.password-file (per node: replication.primary.password-env,"
                    + " replication.replica.<name>.password-file, ...)");
        }
    }

    /** Fails for a {@code replication.hikari.*} key that would pass a password to HikariCP. */
    static void rejectInPassThrough(String key) {
        if (key.toLowerCase(Locale.ROOT).contains("password")) {
            throw new ReplicationConfigurationException("Setting '" + key + "' would pass a password through the"
                    + " settings Hibernate holds and prints: give it with replication.password-env,"
                    + " replication.password-file or replication.password instead");
        }
    }

    /** A note for a required key that is present but empty, else "". */
    static String placeholderNote(SettingsReader r, String key) {
        return r.present(key) && r.raw(key).isEmpty() ? " (it is empty; " + PLACEHOLDER_RULE + ")" : "";
    }
}
