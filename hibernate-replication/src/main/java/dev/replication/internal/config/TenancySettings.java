package dev.replication.internal.config;

import dev.replication.NodeConfig;
import dev.replication.ReplicationConfig.Tenancy;
import dev.replication.ReplicationProperty;

import java.util.List;
import java.util.regex.Pattern;

/** Reads and checks {@code replication.tenancy} and its patterns. */
public final class TenancySettings {
    /** What a tenant id and a schema or database pattern around it may contain. */
    private static final Pattern PATTERN = Pattern.compile("[A-Za-z0-9_-]*\\{tenant}[A-Za-z0-9_-]*");

    private TenancySettings() {
    }

    /** The pattern of {@code p}: letters, digits, '_' or '-' around exactly one {@code {tenant}}. */
    public static String pattern(SettingsReader r, ReplicationProperty p) {
        String v = r.string(p);
        if (v == null) {
            return p.defaultValue();
        }
        if (!PATTERN.matcher(v).matches() || v.length() > 63 - 1 + "{tenant}".length()) {
            throw r.bad(p.key(), v, p.type().allowed() + " exactly once, at most 63 characters once the tenant is in");
        }
        return v;
    }

    /**
     * A pattern only with its mode; database tenancy needs pools the library builds (a container's
     * data source is bound to one database).
     */
    public static void check(SettingsReader r, Tenancy tenancy, List<NodeConfig> nodes) {
        onlyWith(r, ReplicationProperty.TENANCY_SCHEMA, tenancy == Tenancy.SCHEMA, "schema");
        onlyWith(r, ReplicationProperty.TENANCY_DATABASE, tenancy == Tenancy.DATABASE, "database");
        if (tenancy != Tenancy.DATABASE) {
            return;
        }
        for (NodeConfig n : nodes) {
            if (n.url() == null) {
                throw r.bad(ReplicationProperty.TENANCY.key(), "database", "none, discriminator or schema: node '"
                        + n.name() + "' is a container data source (" + n.dataSourceName() + "), bound to one database;"
                        + " database tenancy needs URL nodes (replication.primary.url, replication.replica.<name>.url)");
            }
        }
    }

    private static void onlyWith(SettingsReader r, ReplicationProperty p, boolean applies, String mode) {
        if (!applies && r.string(p) != null) {
            throw r.bad(p.key(), r.string(p), "no value unless '" + ReplicationProperty.TENANCY.key() + "=" + mode + "'");
        }
    }

    /** The name {@code pattern} gives tenant {@code tenant}; the tenant id must be a plain name. */
    public static String apply(String pattern, String tenant, String what) {
        if (tenant == null || !tenant.matches("[A-Za-z0-9_-]{1,63}")) {
            throw new IllegalArgumentException("Tenant id '" + (tenant == null ? null
                    : tenant.length() > 40 ? tenant.substring(0, 40) + "..." : tenant) + "' cannot name a " + what
                    + ": expected 1 to 63 letters, digits, '_' or '-'");
        }
        return pattern.replace("{tenant}", tenant);
    }
}
