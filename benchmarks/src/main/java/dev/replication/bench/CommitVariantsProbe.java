package dev.replication.bench;

import com.zaxxer.hikari.HikariDataSource;

import java.lang.management.ManagementFactory;
import java.lang.management.ThreadMXBean;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicLong;

import static dev.replication.bench.BenchContext.progress;
import static dev.replication.bench.Report.fmt;

/**
 * Where the resource-local token's time goes: the same one-row UPDATE transaction on a raw pgjdbc
 * connection (a HikariCP pool configured like the library's), ended by different commit statements,
 * interleaved; each variant's per-repetition p50 against a plain {@code commit()}.
 */
final class CommitVariantsProbe {

    /** The position the library read after COMMIT until 2026-12-07 (the setting seen after the transaction ended). */
    static final String POSITION_BEFORE = "(CASE WHEN current_setting('synchronous_commit') = 'off'"
            + " THEN pg_current_wal_insert_lsn() ELSE pg_current_wal_flush_lsn() END)::text";
    static final String CHECK = "SELECT pg_current_xact_id_if_assigned() IS NOT NULL";
    /** As {@code RoutedConnection.COMMIT_WITH_TOKEN} sends it (package-private there). */
    static final String LIBRARY = CHECK + ", current_setting('synchronous_commit') = 'off'; COMMIT;"
            + " SELECT pg_current_wal_flush_lsn()::text, pg_current_wal_insert_lsn()::text";

    /** Variant name to the commit it runs ({@code null}: {@code Connection.commit()}). */
    private static final Map<String, String> SQL = new LinkedHashMap<>();

    static {
        SQL.put("commit", null);
        SQL.put("library_batch", LIBRARY);
        SQL.put("batch_before_2026_12_07", CHECK + "; COMMIT; SELECT " + POSITION_BEFORE);
        SQL.put("check_commit", CHECK + "; COMMIT");
        SQL.put("commit_position", "COMMIT; SELECT pg_current_wal_flush_lsn()::text");
        SQL.put("library_batch_unprepared", LIBRARY);
    }

    private CommitVariantsProbe() {
    }

    static Map<String, Map<String, Object>> run(BenchContext ctx, int reps, int perRep) throws Exception {
        HikariDataSource ds = new BaselinePools(ctx).pool("commit-probe", ctx.cluster().primary().jdbcUrl(BenchContext.DB),
                false, 4);
        List<String> variants = List.copyOf(SQL.keySet());
        long id = BenchContext.RYW_BASE + 12;
        AtomicLong value = new AtomicLong();
        ThreadMXBean mx = ManagementFactory.getThreadMXBean();
        Map<String, List<Long>> cpu = new LinkedHashMap<>();
        boolean[] measuring = {false};
        Harness.Op op = v -> {
            long cpu0 = mx.getCurrentThreadCpuTime();
            try (Connection c = ds.getConnection()) {
                try (PreparedStatement up = c.prepareStatement("UPDATE item SET val = ? WHERE id = ?")) {
                    up.setLong(1, value.incrementAndGet());
                    up.setLong(2, id);
                    up.executeUpdate();
                }
                end(c, v);
            }
            if (measuring[0]) {
                cpu.computeIfAbsent(v, k -> new ArrayList<>()).add(mx.getCurrentThreadCpuTime() - cpu0);
            }
        };
        Harness.warmUpOps(300, variants, op);
        measuring[0] = true;
        Map<String, List<long[]>> lat = Harness.interleavedLatencies(reps, perRep, variants, op, (r, rep) -> { });
        Map<String, Map<String, Object>> out = new LinkedHashMap<>();
        StringBuilder line = new StringBuilder("  commit variants (raw pgjdbc, p50 added to commit(), µs):");
        for (String v : variants) {
            Comparison c = Comparison.of(lat.get(v), lat.get("commit"));
            Map<String, Object> m = new LinkedHashMap<>();
            m.put("sql", SQL.get(v) == null ? "Connection.commit()" : SQL.get(v));
            m.put("medianP50Micros", Stats.us(c.medianP50A()));
            m.put("medianP50AddedMicros", Stats.us(c.medianDiff()));
            m.put("medianP50Ratio", c.medianRatio());
            double cpuAdded = Stats.p50(Stats.toArray(cpu.get(v))) - Stats.p50(Stats.toArray(cpu.get("commit")));
            m.put("clientCpuP50AddedMicros", Stats.us(cpuAdded));
            out.put(v, m);
            line.append(' ').append(v).append(' ').append(fmt(Stats.us(c.medianDiff()), 1)).append(" (cpu ")
                    .append(fmt(Stats.us(cpuAdded), 1)).append(')');
        }
        progress(line.toString());
        return out;
    }

    private static void end(Connection c, String variant) throws SQLException {
        String sql = SQL.get(variant);
        if (sql == null) {
            c.commit();
            return;
        }
        boolean unprepared = variant.endsWith("_unprepared");
        try (Statement st = unprepared ? c.createStatement() : c.prepareStatement(sql)) {
            if (unprepared) {
                st.execute(sql);
            } else {
                ((PreparedStatement) st).execute();
            }
            // read every result, as the library does
            do {
                try (ResultSet rs = st.getResultSet()) {
                    if (rs != null) {
                        rs.next();
                        rs.getString(1);
                    }
                }
            } while (st.getMoreResults() || st.getUpdateCount() != -1);
        }
    }
}
