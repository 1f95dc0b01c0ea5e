package dev.replication.chaos;

import java.util.Arrays;
import java.util.EnumMap;
import java.util.Locale;
import java.util.Map;

/**
 * {@code chaos-throughput.svg}: successful reads and writes and failed calls per second, the faults
 * shaded by kind, promotions and the end of the faults marked.
 */
final class ThroughputPlot {

    private ThroughputPlot() {
    }

    /**
     * The plot of one run.
     *
     * @param perSecond successful writes, successful reads and failed calls per second ({@code okWrites},
     *                  {@code okReads}, {@code failed})
     */
    static String svg(History h, long seed, int violations, Map<String, int[]> ps, int seconds) {
        int width = 1000;
        int height = 360;
        int left = 50;
        int top = 40;
        int plotW = width - left - 20;
        int plotH = height - top - 50;
        int max = 1;
        for (int[] a : ps.values()) {
            max = Math.max(max, Arrays.stream(a).max().orElse(1));
        }
        double xs = (double) plotW / Math.max(1, seconds);
        double ys = (double) plotH / max;
        StringBuilder sb = new StringBuilder();
        sb.append(String.format(Locale.ROOT, "<svg xmlns=\"http://www.w3.org/2000/svg\" width=\"%d\" height=\"%d\" "
                + "font-family=\"sans-serif\" font-size=\"11\">%n", width, height));
        sb.append("<rect width=\"100%\" height=\"100%\" fill=\"white\"/>\n");
        sb.append(String.format(Locale.ROOT, "<text x=\"%d\" y=\"16\" font-size=\"13\">Chaos run, seed %d: successful "
                + "operations per second, faults shaded (%d violations)</text>%n", left, seed, violations));
        Map<Fault.Kind, String> colors = new EnumMap<>(Fault.Kind.class);
        String[] palette = {"#e41a1c", "#ff7f00", "#984ea3", "#377eb8", "#a65628", "#999999", "#000000"};
        for (Fault.Kind k : Fault.Kind.values()) {
            colors.put(k, palette[k.ordinal() % palette.length]);
        }
        for (Fault f : h.faults()) {
            double x0 = left + h.sec(f.start()) * xs;
            double x1 = left + h.sec(f.end()) * xs;
            sb.append(String.format(Locale.ROOT, "<rect x=\"%.1f\" y=\"%d\" width=\"%.1f\" height=\"%d\" fill=\"%s\" "
                    + "fill-opacity=\"0.18\"><title>%s %s: %s</title></rect>%n", x0, top, Math.max(1, x1 - x0), plotH,
                    colors.get(f.kind()), f.kind(), f.node(), escape(f.detail())));
        }
        for (Promotion p : h.promotions()) {
            double x = left + h.sec(p.at()) * xs;
            sb.append(String.format(Locale.ROOT, "<line x1=\"%.1f\" y1=\"%d\" x2=\"%.1f\" y2=\"%d\" stroke=\"black\" "
                    + "stroke-dasharray=\"4 2\"/><text x=\"%.1f\" y=\"%d\">promoted %s</text>%n", x, top, x, top + plotH,
                    x + 3, top + 12, p.newPrimary()));
        }
        double qx = left + h.sec(h.quietFrom) * xs;
        sb.append(String.format(Locale.ROOT, "<line x1=\"%.1f\" y1=\"%d\" x2=\"%.1f\" y2=\"%d\" stroke=\"green\"/>"
                + "<text x=\"%.1f\" y=\"%d\" fill=\"green\">faults stop</text>%n", qx, top, qx, top + plotH, qx + 3, top + 26));
        sb.append(String.format(Locale.ROOT, "<line x1=\"%d\" y1=\"%d\" x2=\"%d\" y2=\"%d\" stroke=\"black\"/>%n",
                left, top + plotH, left + plotW, top + plotH));
        sb.append(String.format(Locale.ROOT, "<line x1=\"%d\" y1=\"%d\" x2=\"%d\" y2=\"%d\" stroke=\"black\"/>%n",
                left, top, left, top + plotH));
        for (int i = 0; i <= 4; i++) {
            int v = max * i / 4;
            double y = top + plotH - v * ys;
            sb.append(String.format(Locale.ROOT, "<text x=\"%d\" y=\"%.1f\" text-anchor=\"end\">%d</text>%n", left - 4, y + 4, v));
        }
        int step = Math.max(1, seconds / 10);
        for (int s = 0; s <= seconds; s += step) {
            sb.append(String.format(Locale.ROOT, "<text x=\"%.1f\" y=\"%d\" text-anchor=\"middle\">%d s</text>%n",
                    left + s * xs, top + plotH + 14, s));
        }
        String[][] series = {{"okReads", "#1f77b4", "reads ok/s"}, {"okWrites", "#2ca02c", "writes ok/s"},
            {"failed", "#d62728", "failed calls/s"}};
        int lx = left;
        for (String[] s : series) {
            int[] a = ps.get(s[0]);
            StringBuilder pts = new StringBuilder();
            for (int i = 0; i < a.length; i++) {
                pts.append(String.format(Locale.ROOT, "%.1f,%.1f ", left + (i + 0.5) * xs, top + plotH - a[i] * ys));
            }
            sb.append("<polyline fill=\"none\" stroke=\"").append(s[1]).append("\" stroke-width=\"1.5\" points=\"")
                    .append(pts.toString().trim()).append("\"/>\n");
            sb.append(String.format(Locale.ROOT, "<rect x=\"%d\" y=\"%d\" width=\"10\" height=\"3\" fill=\"%s\"/>"
                    + "<text x=\"%d\" y=\"%d\">%s</text>%n", lx, height - 18, s[1], lx + 14, height - 14, s[2]));
            lx += 110;
        }
        for (Fault.Kind k : Fault.Kind.values()) {
            sb.append(String.format(Locale.ROOT, "<rect x=\"%d\" y=\"%d\" width=\"10\" height=\"10\" fill=\"%s\" "
                    + "fill-opacity=\"0.35\"/><text x=\"%d\" y=\"%d\">%s</text>%n", lx, height - 23, colors.get(k), lx + 14,
                    height - 14, k.name().toLowerCase(Locale.ROOT).replace('_', ' ')));
            lx += 115;
        }
        sb.append("</svg>\n");
        return sb.toString();
    }

    private static String escape(String s) {
        return s.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;");
    }
}
