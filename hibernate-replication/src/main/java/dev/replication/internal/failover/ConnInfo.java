package dev.replication.internal.failover;

import java.util.LinkedHashMap;
import java.util.Map;

/**
 * A libpq connection string in keyword/value form ({@code host=a port=5432 user='x y'}), as found in
 * {@code primary_conninfo}: parsed, changed, and written back with every other parameter kept.
 * Values are quoted on output when needed. The URI form ({@code postgresql://...}) is not handled;
 * {@link #parse} rejects it. {@link #toString()} masks the password; {@link #format()} does not.
 */
final class ConnInfo {

    private final Map<String, String> params;

    private ConnInfo(Map<String, String> params) {
        this.params = params;
    }

    /**
     * @throws IllegalArgumentException for a URI, a keyword without {@code =}, or an unterminated quote
     *                                  (the message never contains the text: it may hold a password)
     */
    static ConnInfo parse(String conninfo) {
        String s = conninfo == null ? "" : conninfo;
        if (s.startsWith("postgresql://") || s.startsWith("postgres://")) {
            throw new IllegalArgumentException("a URI, not keyword=value pairs");
        }
        Map<String, String> params = new LinkedHashMap<>();
        int i = 0;
        int n = s.length();
        while (true) {
            while (i < n && Character.isWhitespace(s.charAt(i))) {
                i++;
            }
            if (i >= n) {
                return new ConnInfo(params);
            }
            int keyStart = i;
            while (i < n && s.charAt(i) != '=' && !Character.isWhitespace(s.charAt(i))) {
                i++;
            }
            String key = s.substring(keyStart, i);
            while (i < n && Character.isWhitespace(s.charAt(i))) {
                i++;
            }
            if (i >= n || s.charAt(i) != '=') {
                throw new IllegalArgumentException("keyword '" + key + "' has no '='");
            }
            i++;
            while (i < n && Character.isWhitespace(s.charAt(i))) {
                i++;
            }
            StringBuilder value = new StringBuilder();
            if (i < n && s.charAt(i) == '\'') {
                i++;
                boolean closed = false;
                while (i < n) {
                    char c = s.charAt(i++);
                    if (c == '\\' && i < n) {
                        value.append(s.charAt(i++));
                    } else if (c == '\'') {
                        closed = true;
                        break;
                    } else {
                        value.append(c);
                    }
                }
                if (!closed) {
                    throw new IllegalArgumentException("unterminated quoted value of '" + key + "'");
                }
            } else {
                while (i < n && !Character.isWhitespace(s.charAt(i))) {
                    char c = s.charAt(i++);
                    if (c == '\\' && i < n) {
                        c = s.charAt(i++);
                    }
                    value.append(c);
                }
            }
            params.put(key, value.toString());
        }
    }

    String get(String key) {
        return params.get(key);
    }

    boolean isEmpty() {
        return params.isEmpty();
    }

    /** The same parameters pointing at {@code host}:{@code port}; {@code hostaddr} is dropped (it would win over host). */
    ConnInfo withServer(String host, int port) {
        Map<String, String> copy = new LinkedHashMap<>();
        copy.put("host", host);
        copy.put("port", Integer.toString(port));
        params.forEach((k, v) -> {
            if (!k.equals("host") && !k.equals("port") && !k.equals("hostaddr")) {
                copy.put(k, v);
            }
        });
        return new ConnInfo(copy);
    }

    /** The connection string with every value, the password included. */
    String format() {
        return format(false);
    }

    @Override
    public String toString() {
        return format(true);
    }

    private String format(boolean mask) {
        StringBuilder sb = new StringBuilder();
        params.forEach((k, v) -> {
            if (sb.length() > 0) {
                sb.append(' ');
            }
            sb.append(k).append('=').append(mask && k.equals("password") ? "***" : quote(v));
        });
        return sb.toString();
    }

    private static String quote(String v) {
        boolean plain = !v.isEmpty() && v.chars().noneMatch(c -> Character.isWhitespace(c) || c == '\'' || c == '\\');
        if (plain) {
            return v;
        }
        return "'" + v.replace("\\", "\\\\").replace("'", "\\'") + "'";
    }
}
