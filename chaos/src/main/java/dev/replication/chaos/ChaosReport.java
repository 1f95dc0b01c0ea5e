package dev.replication.chaos;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import dev.replication.ConsistencyToken;

import java.io.BufferedWriter;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.TreeMap;

/**
 * Writes a run's report: {@code chaos-report.json} (with the {@code violations} object),
 * {@code chaos-report.md}, {@code chaos-throughput.svg} (successful operations per second with
 * the faults) and {@code chaos-history.jsonl} (every operation, for replaying a finding).
 */
final class ChaosReport {

    static final String JSON = "chaos-report.json";
    static final String MARKDOWN = "chaos-report.md";
    static final String SVG = "chaos-throughput.svg";
    static final String HISTORY = "chaos-history.jsonl";
    private static final String[] PHASES = {"warmup", "faults", "quiet"};

    private final History h;
    private final ChaosOptions options;
    private final Bounds bounds;
    private final Checker.Verdict verdict;
    private final List<Op> ops;
    private final int seconds;

    ChaosReport(History h, ChaosOptions options, Bounds bounds, Checker.Verdict verdict) {
        this.h = h;
        this.options = options;
        this.bounds = bounds;
        this.verdict = verdict;
        this.ops = h.ops();
        this.seconds = (int) Math.ceil(h.sec(h.end));
    }

    /** Writes the four files into {@code dir}; returns the JSON report's path. */
    Path write(Path dir) throws IOException {
        Files.createDirectories(dir);
        Map<String, Object> json = json();
        ObjectMapper mapper = new ObjectMapper().enable(SerializationFeature.INDENT_OUTPUT);
        Path j = dir.resolve(JSON);
        mapper.writeValue(j.toFile(), json);
        Files.writeString(dir.resolve(MARKDOWN), markdown(json), StandardCharsets.UTF_8);
        Files.writeString(dir.resolve(SVG), ThroughputPlot.svg(h, options.seed(), verdict.total(), perSecond(), seconds),
                StandardCharsets.UTF_8);
        ObjectMapper line = new ObjectMapper();
        try (BufferedWriter w = Files.newBufferedWriter(dir.resolve(HISTORY), StandardCharsets.UTF_8)) {
            for (Op op : ops) {
                Map<String, Object> m = new LinkedHashMap<>();
                m.put("id", op.id());
                m.put("thread", op.thread());
                m.put("kind", op.kind());
                m.put("start", round(h.sec(op.start()), 6));
                m.put("end", round(h.sec(op.end()), 6));
                m.put("node", op.node());
                m.put("ok", op.ok());
                m.put("error", op.error());
                m.put("token", op.token());
                m.put("row", op.rowId());
                m.put("writer", op.writer());
                m.put("seq", op.seq());
                m.put("value", op.value());
                m.put("seqRead", op.seqRead());
                w.write(line.writeValueAsString(m));
                w.newLine();
            }
        }
        return j;
    }

    Map<String, Object> json() {
        Map<String, Object> root = new LinkedHashMap<>();
        root.put("seed", options.seed());
        root.put("replay", "java -Dchaos.seed=" + options.seed() + " -Dchaos.seconds=" + options.seconds()
                + (options.synchronous() ? " -Dchaos.synchronous=true" : "") + " -jar chaos/target/chaos.jar");
        root.put("synchronous", options.synchronous() ? ChaosRun.SYNCHRONOUS_STANDBYS : null);
        root.put("seconds", round(h.sec(h.end), 1));
        root.put("phases", Map.of("warmupUntil", round(h.sec(h.faultsFrom), 1), "faultsUntil", round(h.sec(h.quietFrom), 1),
                "end", round(h.sec(h.end), 1)));
        root.put("violations", verdict.violations());
        root.put("violationSamples", verdict.samples());
        root.put("facts", verdict.facts());
        root.put("bounds", bounds.describe());
        root.put("operations", operations());
        root.put("faultsByKind", faultsByKind());
        List<Map<String, Object>> faults = new ArrayList<>();
        for (Fault f : h.faults()) {
            faults.add(Map.of("kind", f.kind().name(), "node", f.node(), "from", round(h.sec(f.start()), 2),
                    "to", round(h.sec(f.end()), 2), "detail", f.detail()));
        }
        root.put("faults", faults);
        List<Map<String, Object>> promotions = new ArrayList<>();
        for (Promotion p : h.promotions()) {
            promotions.add(Map.of("at", round(h.sec(p.at()), 2), "old", p.oldPrimary(), "new", p.newPrimary(),
                    "reportedWindow", "(" + lsn(p.windowFrom()) + ", " + lsn(p.windowTo()) + "]"));
        }
        root.put("promotions", promotions);
        root.put("finalPrimary", h.finalPrimary);
        root.put("latencyMillis", latency());
        root.put("availability", availability());
        root.put("perSecond", perSecond());
        return root;
    }

    private Map<String, Object> operations() {
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("total", ops.size());
        for (Op.Kind k : Op.Kind.values()) {
            long ok = ops.stream().filter(o -> o.kind() == k && o.ok()).count();
            long failed = ops.stream().filter(o -> o.kind() == k && !o.ok()).count();
            Map<String, Long> errors = new TreeMap<>();
            ops.stream().filter(o -> o.kind() == k && !o.ok()).forEach(o -> errors.merge(shortName(o.error()), 1L, Long::sum));
            m.put(k.name(), Map.of("ok", ok, "failed", failed, "errors", errors));
        }
        return m;
    }

    private Map<String, Integer> faultsByKind() {
        Map<String, Integer> m = new LinkedHashMap<>();
        for (Fault.Kind k : Fault.Kind.values()) {
            m.put(k.name(), (int) h.faults().stream().filter(f -> f.kind() == k).count());
        }
        return m;
    }

    /** Per phase, per kind of call (all calls, ok or failed): count, p50, p95, p99, max in milliseconds. */
    private Map<String, Object> latency() {
        Map<String, Object> m = new LinkedHashMap<>();
        for (String phase : PHASES) {
            Map<String, Object> byKind = new LinkedHashMap<>();
            for (Op.Kind k : Op.Kind.values()) {
                long[] d = ops.stream().filter(o -> o.kind() == k && phase.equals(h.phase(o.start())))
                        .mapToLong(Op::micros).sorted().toArray();
                if (d.length > 0) {
                    byKind.put(k.name(), Map.of("count", d.length, "p50", pct(d, 50), "p95", pct(d, 95), "p99", pct(d, 99),
                            "max", d[d.length - 1] / 1000.0));
                }
            }
            m.put(phase, byKind);
        }
        return m;
    }

    /** Share of successful calls per phase, writes and reads apart. */
    private Map<String, Object> availability() {
        Map<String, Object> m = new LinkedHashMap<>();
        for (String phase : PHASES) {
            Map<String, Object> p = new LinkedHashMap<>();
            for (boolean write : new boolean[] {true, false}) {
                long all = ops.stream().filter(o -> o.isRead() != write && phase.equals(h.phase(o.start()))).count();
                long ok = ops.stream().filter(o -> o.isRead() != write && o.ok() && phase.equals(h.phase(o.start()))).count();
                p.put(write ? "writes" : "reads", all == 0 ? null : round(100.0 * ok / all, 2));
            }
            m.put(phase, p);
        }
        return m;
    }

    /** Successful writes, successful reads and failed calls per second of the run. */
    private Map<String, int[]> perSecond() {
        int[] w = new int[seconds + 1];
        int[] r = new int[seconds + 1];
        int[] f = new int[seconds + 1];
        for (Op o : ops) {
            int s = (int) Math.max(0, Math.min(seconds, Math.floor(h.sec(o.end()))));
            if (!o.ok()) {
                f[s]++;
            } else if (o.isRead()) {
                r[s]++;
            } else {
                w[s]++;
            }
        }
        Map<String, int[]> m = new LinkedHashMap<>();
        m.put("okWrites", w);
        m.put("okReads", r);
        m.put("failed", f);
        return m;
    }

    @SuppressWarnings("unchecked")
    private String markdown(Map<String, Object> json) {
        StringBuilder sb = new StringBuilder();
        sb.append("# Chaos run, seed ").append(options.seed()).append("\n\n");
        sb.append("Replay: `").append(json.get("replay")).append("`  \n");
        sb.append(String.format(Locale.ROOT, "Duration %.1f s: warm-up until %.1f s, faults until %.1f s, then quiet. "
                + "Final primary: %s.%n%n", h.sec(h.end), h.sec(h.faultsFrom), h.sec(h.quietFrom), h.finalPrimary));
        sb.append("![throughput](").append(SVG).append(")\n\n");
        sb.append("## Violations (").append(verdict.total()).append(")\n\n| invariant | violations |\n| --- | ---: |\n");
        verdict.violations().forEach((k, v) -> sb.append("| ").append(k).append(" | ").append(v).append(" |\n"));
        verdict.samples().forEach((k, l) -> {
            sb.append("\n**").append(k).append("** (first ").append(l.size()).append("):\n\n");
            l.forEach(s -> sb.append("- ").append(s.replace("\n", "\n  ")).append('\n'));
        });
        sb.append("\n## Facts\n\n");
        verdict.facts().forEach((k, v) -> sb.append("- ").append(k).append(": ").append(v).append('\n'));
        sb.append("\n## Operations\n\n| kind | ok | failed | errors |\n| --- | ---: | ---: | --- |\n");
        ((Map<String, Object>) json.get("operations")).forEach((k, v) -> {
            if (v instanceof Map<?, ?> m) {
                sb.append("| ").append(k).append(" | ").append(m.get("ok")).append(" | ").append(m.get("failed"))
                        .append(" | ").append(m.get("errors")).append(" |\n");
            }
        });
        sb.append("\nTotal: ").append(ops.size()).append(" operations.\n\n## Faults\n\n| kind | count |\n| --- | ---: |\n");
        faultsByKind().forEach((k, v) -> sb.append("| ").append(k).append(" | ").append(v).append(" |\n"));
        sb.append("\n| from s | to s | kind | node | detail |\n| ---: | ---: | --- | --- | --- |\n");
        for (Fault f : h.faults()) {
            sb.append(String.format(Locale.ROOT, "| %.1f | %.1f | %s | %s | %s |%n", h.sec(f.start()), h.sec(f.end()),
                    f.kind(), f.node(), f.detail().replace("|", "/")));
        }
        sb.append("\nPromotions reported by the library: ").append(json.get("promotions")).append("\n");
        sb.append("\n## Latency (ms, every call ok or failed)\n\n| phase | kind | count | p50 | p95 | p99 | max |\n"
                + "| --- | --- | ---: | ---: | ---: | ---: | ---: |\n");
        ((Map<String, Object>) json.get("latencyMillis")).forEach((phase, kinds) ->
                ((Map<String, Object>) kinds).forEach((k, v) -> {
                    Map<String, Object> s = (Map<String, Object>) v;
                    sb.append("| ").append(phase).append(" | ").append(k).append(" | ").append(s.get("count")).append(" | ")
                            .append(s.get("p50")).append(" | ").append(s.get("p95")).append(" | ").append(s.get("p99"))
                            .append(" | ").append(s.get("max")).append(" |\n");
                }));
        sb.append("\n## Availability (% of calls that succeeded)\n\n| phase | writes | reads |\n| --- | ---: | ---: |\n");
        ((Map<String, Object>) json.get("availability")).forEach((phase, v) -> {
            Map<String, Object> a = (Map<String, Object>) v;
            sb.append("| ").append(phase).append(" | ").append(a.get("writes")).append(" | ").append(a.get("reads")).append(" |\n");
        });
        sb.append("\n## Bounds\n\n");
        bounds.describe().forEach((k, v) -> sb.append("- ").append(k).append(": ").append(v).append('\n'));
        return sb.toString();
    }

    private static double pct(long[] sortedMicros, int p) {
        int i = (int) Math.ceil(p / 100.0 * sortedMicros.length) - 1;
        return round(sortedMicros[Math.max(0, Math.min(sortedMicros.length - 1, i))] / 1000.0, 1);
    }

    private static double round(double v, int digits) {
        double f = Math.pow(10, digits);
        return Math.round(v * f) / f;
    }

    private static String shortName(String className) {
        return className == null ? "?" : className.substring(className.lastIndexOf('.') + 1);
    }

    private static String lsn(long lsn) {
        return lsn < 0 ? "?" : new ConsistencyToken(lsn).toString();
    }
}
