package dev.replication.bench;

import org.junit.jupiter.api.Test;

import java.util.List;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;

/** Smoke test of the output formatting only; the benchmarks themselves never run under mvn verify. */
class ReportTest {

    @Test
    void markdownTableEscapesPipes() {
        Report r = new Report();
        r.row("1 routing", "ratio", "0.990", "a|b");
        assertThat(r.markdown()).isEqualTo("""
                | benchmark | metric | value | notes |
                | --- | --- | ---: | --- |
                | 1 routing | ratio | 0.990 | a\\|b |
                """);
    }

    @Test
    void jsonIsWellFormed() {
        Report r = new Report();
        r.root().put("machine", Map.of("cores", 2));
        Map<String, Object> s = r.section("x");
        s.put("text", "quote \" backslash \\ newline \n tab \t ctl \u0001");
        s.put("list", List.of(1.5, 2L, Double.NaN));
        s.put("whole", 3.0);
        s.put("empty", Map.of());
        s.put("none", null);
        s.put("flag", true);
        assertThat(r.json()).isEqualTo("""
                {
                  "machine": {
                    "cores": 2
                  },
                  "benchmarks": {
                    "x": {
                      "text": "quote \\" backslash \\\\ newline \\n tab \\t ctl \\u0001",
                      "list": [1.5, 2, null],
                      "whole": 3.0,
                      "empty": {},
                      "none": null,
                      "flag": true
                    }
                  }
                }
                """);
    }

    @Test
    void jsonKeepsWholeDoublesPlainAndWritesNonFiniteAsNull() {
        Report r = new Report();
        Map<String, Object> s = r.section("y");
        s.put("big", 12345678.0);
        s.put("small", 0.25);
        s.put("inf", Double.POSITIVE_INFINITY);
        s.put("none", List.of());
        assertThat(r.json()).isEqualTo("""
                {
                  "benchmarks": {
                    "y": {
                      "big": 12345678.0,
                      "small": 0.25,
                      "inf": null,
                      "none": []
                    }
                  }
                }
                """);
    }

    @Test
    void statsMedianAndPercentiles() {
        assertThat(Stats.median(List.of(3.0, 1.0, 2.0))).isEqualTo(2.0);
        assertThat(Stats.median(List.of(4.0, 1.0, 2.0, 3.0))).isEqualTo(2.5);
        long[] v = new long[100];
        for (int i = 0; i < 100; i++) {
            v[i] = 100 - i;
        }
        assertThat(Stats.percentile(v, 50)).isEqualTo(50.0);
        assertThat(Stats.percentile(v, 99)).isEqualTo(99.0);
        assertThat(Report.fmt(Double.NaN, 2)).isEqualTo("n/a");
        assertThat(Report.fmt(1.2345, 2)).isEqualTo("1.23");
    }
}
