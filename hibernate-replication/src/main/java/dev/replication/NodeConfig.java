package dev.replication;

import dev.replication.internal.Secrets;

/**
 * One configured node. {@link #toString()} never shows the password, and masks any password
 * embedded in the URL.
 *
 * @param name   node name, also its Hibernate tenant id
 * @param url    JDBC URL
 * @param user   user, may be null (then the URL or driver defaults apply)
 * @param password password, may be null
 * @param weight relative read share for the weighted selector (replicas only)
 */
public record NodeConfig(String name, String url, String user, String password, int weight) {

    @Override
    public String toString() {
        return "NodeConfig[name=" + name + ", url=" + Secrets.maskUrl(url) + ", user=" + user
                + ", password=" + (password == null ? "<none>" : "<hidden>") + ", weight=" + weight + "]";
    }
}
