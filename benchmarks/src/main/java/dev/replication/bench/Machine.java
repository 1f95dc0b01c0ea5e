package dev.replication.bench;

import dev.replication.testkit.PgCluster;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.ZonedDateTime;
import java.time.format.DateTimeFormatter;
import java.util.LinkedHashMap;
import java.util.Map;

/** The facts printed with every result: cores, CPU, OS, date, Java, PostgreSQL, load average. */
final class Machine {

    private Machine() {
    }

    /** The facts as the {@code machine} object of {@code results.json}. */
    static Map<String, Object> facts(PgCluster cluster) throws SQLException {
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("cores", Runtime.getRuntime().availableProcessors());
        m.put("cpu", cpuModel());
        m.put("os", System.getProperty("os.name") + " " + System.getProperty("os.version") + " "
                + System.getProperty("os.arch"));
        m.put("date", ZonedDateTime.now().format(DateTimeFormatter.RFC_1123_DATE_TIME));
        m.put("java", System.getProperty("java.runtime.version") + " (" + System.getProperty("java.vm.name") + ")");
        m.put("maxHeapMiB", Runtime.getRuntime().maxMemory() / (1024 * 1024));
        try (Connection c = cluster.primary().connect(); Statement st = c.createStatement();
             ResultSet rs = st.executeQuery("SELECT version()")) {
            rs.next();
            String v = rs.getString(1);
            int comma = v.indexOf(',');
            m.put("postgres", comma > 0 ? v.substring(0, comma) : v);
        }
        m.put("loadAverageAtStart", loadAverage());
        m.put("cluster", "testkit: primary + 2 streaming replicas on 127.0.0.1, same machine");
        return m;
    }

    /** The line above the Markdown table. */
    static String line(Map<String, Object> m) {
        return "Machine: " + m.get("cores") + " cores (" + m.get("cpu") + "), " + m.get("os") + "; " + m.get("date")
                + "; Java " + m.get("java") + "; " + m.get("postgres") + "; load average (1/5/15 min) at start "
                + m.get("loadAverageAtStart") + (m.containsKey("loadAverageAtEnd") ? ", at end " + m.get("loadAverageAtEnd") : "")
                + ".";
    }

    /** The 1/5/15-minute load averages (Linux), to show whether other work shared the machine. */
    static String loadAverage() {
        try {
            String[] f = Files.readString(Path.of("/proc/loadavg")).trim().split("\\s+");
            return f[0] + " " + f[1] + " " + f[2];
        } catch (IOException | RuntimeException e) {
            return "unknown";
        }
    }

    private static String cpuModel() {
        try {
            for (String line : Files.readAllLines(Path.of("/proc/cpuinfo"))) {
                if (line.startsWith("model name")) {
                    return line.substring(line.indexOf(':') + 1).trim();
                }
            }
        } catch (IOException | RuntimeException ignored) {
            // not Linux
        }
        return "unknown cpu";
    }
}
