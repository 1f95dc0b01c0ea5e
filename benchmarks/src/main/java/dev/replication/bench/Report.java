package dev.replication.bench;

import java.util.ArrayList;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * Collects results: a JSON tree (maps, lists, strings, numbers, booleans) written to
 * {@code results.json}, and the rows of the Markdown summary table.
 */
final class Report {

    /** One line of the summary table. */
    record Row(String benchmark, String metric, String value, String notes) {
    }

    private final Map<String, Object> root = new LinkedHashMap<>();
    private final List<Row> rows = new ArrayList<>();

    Map<String, Object> root() {
        return root;
    }

    /** The JSON object of one benchmark section, created on first use. */
    @SuppressWarnings("unchecked")
    Map<String, Object> section(String name) {
        Map<String, Object> benchmarks = (Map<String, Object>) root.computeIfAbsent("benchmarks", k -> new LinkedHashMap<>());
        return (Map<String, Object>) benchmarks.computeIfAbsent(name, k -> new LinkedHashMap<>());
    }

    void row(String benchmark, String metric, String value, String notes) {
        rows.add(new Row(benchmark, metric, value, notes == null ? "" : notes));
    }

    List<Row> rows() {
        return List.copyOf(rows);
    }

    /** The summary as a Markdown table (pipes in cells escaped). */
    String markdown() {
        StringBuilder sb = new StringBuilder();
        sb.append("| benchmark | metric | value | notes |\n");
        sb.append("| --- | --- | ---: | --- |\n");
        for (Row r : rows) {
            sb.append("| ").append(cell(r.benchmark())).append(" | ").append(cell(r.metric())).append(" | ")
                    .append(cell(r.value())).append(" | ").append(cell(r.notes())).append(" |\n");
        }
        return sb.toString();
    }

    private static String cell(String s) {
        return s.replace("\\", "\\\\").replace("|", "\\|").replace("\n", " ");
    }

    String json() {
        StringBuilder sb = new StringBuilder();
        write(sb, root, 0);
        return sb.append('\n').toString();
    }

    /** Formats a number with {@code decimals} places, Locale.ROOT. */
    static String fmt(double v, int decimals) {
        if (Double.isNaN(v) || Double.isInfinite(v)) {
            return "n/a";
        }
        return String.format(Locale.ROOT, "%." + decimals + "f", v);
    }

    static void write(StringBuilder sb, Object v, int indent) {
        if (v == null) {
            sb.append("null");
        } else if (v instanceof String s) {
            quote(sb, s);
        } else if (v instanceof Boolean b) {
            sb.append(b);
        } else if (v instanceof Double || v instanceof Float) {
            double d = ((Number) v).doubleValue();
            if (Double.isNaN(d) || Double.isInfinite(d)) {
                sb.append("null");
            } else if (d == Math.rint(d) && Math.abs(d) < 1e15) {
                sb.append((long) d).append(".0");
            } else {
                sb.append(Double.toString(d));
            }
        } else if (v instanceof Number n) {
            sb.append(n.toString());
        } else if (v instanceof Map<?, ?> m) {
            if (m.isEmpty()) {
                sb.append("{}");
                return;
            }
            sb.append("{\n");
            Iterator<? extends Map.Entry<?, ?>> it = m.entrySet().iterator();
            while (it.hasNext()) {
                Map.Entry<?, ?> e = it.next();
                pad(sb, indent + 1);
                quote(sb, String.valueOf(e.getKey()));
                sb.append(": ");
                write(sb, e.getValue(), indent + 1);
                sb.append(it.hasNext() ? ",\n" : "\n");
            }
            pad(sb, indent);
            sb.append('}');
        } else if (v instanceof Iterable<?> list) {
            Iterator<?> it = list.iterator();
            if (!it.hasNext()) {
                sb.append("[]");
                return;
            }
            sb.append('[');
            while (it.hasNext()) {
                write(sb, it.next(), indent + 1);
                if (it.hasNext()) {
                    sb.append(", ");
                }
            }
            sb.append(']');
        } else if (v instanceof double[] arr) {
            List<Double> l = new ArrayList<>();
            for (double d : arr) {
                l.add(d);
            }
            write(sb, l, indent);
        } else if (v instanceof long[] arr) {
            List<Long> l = new ArrayList<>();
            for (long d : arr) {
                l.add(d);
            }
            write(sb, l, indent);
        } else {
            quote(sb, v.toString());
        }
    }

    private static void pad(StringBuilder sb, int indent) {
        sb.append("  ".repeat(indent));
    }

    private static void quote(StringBuilder sb, String s) {
        sb.append('"');
        for (int i = 0; i < s.length(); i++) {
            char c = s.charAt(i);
            switch (c) {
                case '"' -> sb.append("\\\"");
                case '\\' -> sb.append("\\\\");
                case '\n' -> sb.append("\\n");
                case '\r' -> sb.append("\\r");
                case '\t' -> sb.append("\\t");
                default -> {
                    if (c < 0x20) {
                        sb.append(String.format(Locale.ROOT, "\\u%04x", (int) c));
                    } else {
                        sb.append(c);
                    }
                }
            }
        }
        sb.append('"');
    }
}
