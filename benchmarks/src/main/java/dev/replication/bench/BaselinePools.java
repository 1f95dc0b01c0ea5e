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

    BaselinePools(BenchContext ctx) {
        this.ctx = ctx;
    }

    /** A pool to {@code url} (a single node or a pgjdbc multi-host URL). */
    HikariDataSource pool(String name, String url, boolean readOnly, int maxSize) {
        HikariConfig hc = new HikariConfig();
        hc.setPoolName("baseline-" + name);
        hc.setJdbcUrl(url);
        hc.setUsername(ctx.cluster().user());
        hc.setPassword(ctx.cluster().password());
        hc.setMaximumPoolSize(maxSize);
        hc.setMinimumIdle(2);
        hc.setConnectionTimeout(500);
        hc.setValidationTimeout(500);
        hc.setAutoCommit(false);
        hc.setReadOnly(readOnly);
        hc.addDataSourceProperty("connectTimeout", 1);
        hc.addDataSourceProperty("loginTimeout", 1);
        hc.addDataSourceProperty("tcpKeepAlive", true);
        hc.addDataSourceProperty("ApplicationName", "baseline");
        HikariDataSource ds = new HikariDataSource(hc);
        ctx.closeLater(ds::close);
        return ds;
    }

    /** Plain Hibernate over {@code ds}, passed as {@code jakarta.persistence.nonJtaDataSource}. */
    EntityManagerFactory plain(DataSource ds) {
        Map<String, Object> props = new LinkedHashMap<>();
        props.put("jakarta.persistence.nonJtaDataSource", ds);
        EntityManagerFactory emf = Persistence.createEntityManagerFactory("bench-plain", props);
        ctx.closeLater(emf::close);
        return emf;
    }

    /** Plain Hibernate over a new pool of 10 to {@code url}. */
    EntityManagerFactory plain(String name, String url, boolean readOnly) {
        return plain(pool(name, url, readOnly, 10));
    }
}
