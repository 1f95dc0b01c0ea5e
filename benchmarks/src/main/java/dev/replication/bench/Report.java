package dev.replication.bench;

import com.fasterxml.jackson.core.JsonGenerator;
import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.core.util.DefaultIndenter;
import com.fasterxml.jackson.core.util.DefaultPrettyPrinter;
import com.fasterxml.jackson.core.util.Separators;
import com.fasterxml.jackson.core.util.Separators.Spacing;
import com.fasterxml.jackson.databind.JsonSerializer;
import com.fasterxml.jackson.databind.ObjectWriter;
import com.fasterxml.jackson.databind.SerializerProvider;
import com.fasterxml.jackson.databind.json.JsonMapper;
import com.fasterxml.jackson.databind.module.SimpleModule;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * Collects results: a JSON tree (maps, lists, strings, numbers, booleans) written to
 * {@code results.json}, and the rows of the Markdown summary table. Not thread-safe: benchmarks
 * fill it from the main thread.
 */
final class Report {

    /** One line of the summary table. */
    record Row(String benchmark, String metric, String value, String notes) {
    }

    /**
     * Objects on indented lines, arrays on one line, {@code "key": value}; NaN and infinities as
     * {@code null}, whole doubles as {@code 3.0}.
     */
    private static final ObjectWriter JSON = JsonMapper.builder()
            .addModule(new SimpleModule("bench-doubles").addSerializer(Double.class, new DoubleSerializer()))
            .build()
            .writer(new DefaultPrettyPrinter(Separators.createDefaultInstance()
                    .withObjectFieldValueSpacing(Spacing.AFTER)
                    .withArrayValueSpacing(Spacing.AFTER)
                    .withObjectEmptySeparator("")
                    .withArrayEmptySeparator(""))
                    .withObjectIndenter(new DefaultIndenter("  ", "\n"))
                    .withArrayIndenter(DefaultPrettyPrinter.NopIndenter.instance));

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
        try {
            return JSON.writeValueAsString(root) + "\n";
        } catch (JsonProcessingException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** Formats a number with {@code decimals} places, Locale.ROOT. */
    static String fmt(double v, int decimals) {
        if (Double.isNaN(v) || Double.isInfinite(v)) {
            return "n/a";
        }
        return String.format(Locale.ROOT, "%." + decimals + "f", v);
    }

    /** JSON has no NaN; whole values keep their {@code .0} instead of turning into exponents. */
    private static final class DoubleSerializer extends JsonSerializer<Double> {
        @Override
        public void serialize(Double value, JsonGenerator gen, SerializerProvider serializers) throws IOException {
            double d = value;
            if (Double.isNaN(d) || Double.isInfinite(d)) {
                gen.writeNull();
            } else if (d == Math.rint(d) && Math.abs(d) < 1e15) {
                gen.writeNumber((long) d + ".0");
            } else {
                gen.writeNumber(d);
            }
        }
    }
}
