package dev.replication.internal.connection;

/** Parts of a {@code jdbc:postgresql://host:port/database?params} URL replaced, every other part kept. */
public final class JdbcUrls {
    private static final String PREFIX = "jdbc:postgresql://";

    private JdbcUrls() {
    }

    /** {@code url} with its host and port replaced. */
    public static String withServer(String url, String host, int port) {
        int end = serverEnd(url);
        String h = host.contains(":") && !host.startsWith("[") ? "[" + host + "]" : host;
        return PREFIX + h + ":" + port + url.substring(end);
    }

    /** {@code url} with its database replaced ({@code database} is a plain name: letters, digits, '_' or '-'). */
    public static String withDatabase(String url, String database) {
        int end = serverEnd(url);
        int query = url.indexOf('?', end);
        String rest = query < 0 ? "" : url.substring(query);
        return url.substring(0, end) + "/" + database + rest;
    }

    private static int serverEnd(String url) {
        int end = PREFIX.length();
        while (end < url.length() && url.charAt(end) != '/' && url.charAt(end) != '?') {
            end++;
        }
        return end;
    }
}
