package dev.replication.bench;

import com.zaxxer.hikari.HikariConfig;
import com.zaxxer.hikari.HikariDataSource;
import jakarta.persistence.EntityManagerFactory;
import jakarta.persistence.Persistence;

import javax.sql.DataSource;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * The baselines' setup: HikariCP pools configured like the library's node pools (autoCommit off,
 * same sizes and timeouts, same pgjdbc properties), so that only the routing differs, and plain
 * Hibernate (no multi-tenancy) over one such pool. Everything opened is closed by the context.
 */
final class BaselinePools {

    private final BenchContext ctx;
    private final Resources resources;

    BaselinePools(BenchContext ctx) {
        this(ctx, null);
    }

    /** Pools and factories that {@code resources} closes (instead of the context, at the benchmark's end). */
    BaselinePools(BenchContext ctx, Resources resources) {
        this.ctx = ctx;
        this.resources = resources;
    }

    private void closeLater(AutoCloseable c) {
        if (resources != null) {
            resources.closeLater(c);
        } else {
            ctx.closeLater(c);
        }
    }

    /** A pool to {@code url} (a single node or a pgjdbc multi-host URL). */
    HikariDataSource pool(String name, String url, boolean readOnly, int maxSize) {
        return pool(name, url, readOnly, maxSize, 2, Map.of(), ctx.cluster().user(), ctx.cluster().password());
    }

    /**
     * A pool like {@link #pool(String, String, boolean, int)} with {@code minIdle} connections kept
     * open, more pgjdbc properties (e.g. {@code socketTimeout}) and other credentials (another cluster's).
     */
    HikariDataSource pool(String name, String url, boolean readOnly, int maxSize, int minIdle,
            Map<String, Object> driverProperties, String user, String password) {
        HikariConfig hc = new HikariConfig();
        hc.setPoolName("baseline-" + name);
        hc.setJdbcUrl(url);
        hc.setUsername(user);
        hc.setPassword(password);
        hc.setMaximumPoolSize(maxSize);
        hc.setMinimumIdle(Math.min(minIdle, maxSize));
        hc.setConnectionTimeout(500);
        hc.setValidationTimeout(500);
        hc.setAutoCommit(false);
        hc.setReadOnly(readOnly);
        hc.addDataSourceProperty("connectTimeout", 1);
        hc.addDataSourceProperty("loginTimeout", 1);
        hc.addDataSourceProperty("tcpKeepAlive", true);
        hc.addDataSourceProperty("ApplicationName", "baseline");
        driverProperties.forEach(hc::addDataSourceProperty);
        HikariDataSource ds = new HikariDataSource(hc);
        closeLater(ds::close);
        return ds;
    }

    /** Plain Hibernate over {@code ds}, passed as {@code jakarta.persistence.nonJtaDataSource}. */
    EntityManagerFactory plain(DataSource ds) {
        return plain(ds, Map.of());
    }

    /** Plain Hibernate over {@code ds} with more Hibernate settings. */
    EntityManagerFactory plain(DataSource ds, Map<String, Object> settings) {
        Map<String, Object> props = new LinkedHashMap<>(settings);
        props.put("jakarta.persistence.nonJtaDataSource", ds);
        EntityManagerFactory emf = Persistence.createEntityManagerFactory("bench-plain", props);
        closeLater(emf::close);
        return emf;
    }

    /** Plain Hibernate over a new pool of 10 to {@code url}. */
    EntityManagerFactory plain(String name, String url, boolean readOnly) {
        return plain(pool(name, url, readOnly, 10));
    }
}
