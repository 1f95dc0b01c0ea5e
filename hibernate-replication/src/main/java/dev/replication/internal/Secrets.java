package dev.replication.internal;

import java.util.regex.Pattern;

/** Keeps credentials out of logs and messages. */
public final class Secrets {
    private static final Pattern URL_PASSWORD = Pattern.compile("(?i)(password=)[^&;]*");
    private static final Pattern URL_USERINFO = Pattern.compile("(//[^/@:]+):[^/@]*@");

    private Secrets() {
    }

    /** The URL with any {@code password=} parameter and user-info password replaced. */
    public static String maskUrl(String url) {
        if (url == null) {
            return null;
        }
        String masked = URL_PASSWORD.matcher(url).replaceAll("$1***");
        return URL_USERINFO.matcher(masked).replaceAll("$1:***@");
    }
}
