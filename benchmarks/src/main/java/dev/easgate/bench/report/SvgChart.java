package dev.easgate.bench.report;

import java.util.List;
import java.util.Locale;

/**
 * A plain SVG line chart (no library): one or more series of (x, y) points, linear axes or a logarithmic "nines"
 * x axis for latency percentile curves.
 */
public final class SvgChart {
    private static final int WIDTH = 720;
    private static final int HEIGHT = 420;
    private static final int LEFT = 80;
    private static final int RIGHT = 30;
    private static final int TOP = 40;
    private static final int BOTTOM = 60;
    private static final String[] COLOURS = {"#1f77b4", "#d62728", "#2ca02c", "#ff7f0e", "#9467bd"};

    /** A named series of points. */
    public record Series(String name, List<double[]> points) {
    }

    private SvgChart() {
    }

    /** A chart with linear axes. */
    public static String lines(String title, String xLabel, String yLabel, List<Series> series) {
        return render(title, xLabel, yLabel, series, false);
    }

    /**
     * A latency percentile curve: x is the percentile on a log scale of 1/(1-p) (50%, 90%, 99%, 99.9%, ...), y the
     * latency. Points are (percentile, value).
     */
    public static String percentileCurve(String title, String yLabel, List<Series> series) {
        return render(title, "percentile", yLabel, series, true);
    }

    private static double nines(double percentile) {
        return Math.log10(1 / Math.max(1e-7, 1 - percentile / 100.0));
    }

    private static String render(String title, String xLabel, String yLabel, List<Series> series, boolean log) {
        double xMin = Double.MAX_VALUE;
        double xMax = -Double.MAX_VALUE;
        double yMax = 0;
        for (Series s : series) {
            for (double[] p : s.points()) {
                double x = log ? nines(p[0]) : p[0];
                xMin = Math.min(xMin, x);
                xMax = Math.max(xMax, x);
                yMax = Math.max(yMax, p[1]);
            }
        }
        if (xMin == Double.MAX_VALUE) {
            xMin = 0;
            xMax = 1;
        }
        if (log) {
            xMin = 0;
            xMax = Math.max(3, Math.ceil(xMax));
        }
        if (xMax <= xMin) {
            xMax = xMin + 1;
        }
        yMax = yMax <= 0 ? 1 : niceCeiling(yMax * 1.05);
        double plotW = WIDTH - LEFT - RIGHT;
        double plotH = HEIGHT - TOP - BOTTOM;
        StringBuilder svg = new StringBuilder();
        svg.append(String.format(Locale.ROOT, "<svg xmlns=\"http://www.w3.org/2000/svg\" width=\"%d\" height=\"%d\" "
                + "font-family=\"sans-serif\" font-size=\"12\">%n", WIDTH, HEIGHT));
        svg.append("<rect width=\"100%\" height=\"100%\" fill=\"white\"/>\n");
        svg.append(text(WIDTH / 2.0, 22, title, "middle", 15));
        // grid and ticks
        for (int i = 0; i <= 5; i++) {
            double y = TOP + plotH - plotH * i / 5;
            svg.append(line(LEFT, y, LEFT + plotW, y, "#ddd"));
            svg.append(text(LEFT - 6, y + 4, format(yMax * i / 5), "end", 11));
        }
        int xTicks = log ? (int) xMax : 5;
        for (int i = 0; i <= xTicks; i++) {
            double x = LEFT + plotW * i / xTicks;
            svg.append(line(x, TOP, x, TOP + plotH, "#eee"));
            String label = log ? percentileLabel(i) : format(xMin + (xMax - xMin) * i / xTicks);
            svg.append(text(x, TOP + plotH + 16, label, "middle", 11));
        }
        svg.append(line(LEFT, TOP + plotH, LEFT + plotW, TOP + plotH, "#333"));
        svg.append(line(LEFT, TOP, LEFT, TOP + plotH, "#333"));
        svg.append(text(LEFT + plotW / 2, HEIGHT - 18, xLabel, "middle", 12));
        svg.append(String.format(Locale.ROOT, "<text x=\"18\" y=\"%.1f\" text-anchor=\"middle\" "
                + "transform=\"rotate(-90 18 %.1f)\">%s</text>%n", TOP + plotH / 2, TOP + plotH / 2, escape(yLabel)));
        for (int s = 0; s < series.size(); s++) {
            String colour = COLOURS[s % COLOURS.length];
            StringBuilder path = new StringBuilder();
            for (double[] p : series.get(s).points()) {
                double x = LEFT + plotW * ((log ? nines(p[0]) : p[0]) - xMin) / (xMax - xMin);
                double y = TOP + plotH - plotH * Math.min(p[1], yMax) / yMax;
                path.append(path.length() == 0 ? "" : " ").append(String.format(Locale.ROOT, "%.1f,%.1f", x, y));
            }
            svg.append(String.format(Locale.ROOT, "<polyline fill=\"none\" stroke=\"%s\" stroke-width=\"2\" "
                    + "points=\"%s\"/>%n", colour, path));
            svg.append(String.format(Locale.ROOT, "<rect x=\"%d\" y=\"%d\" width=\"12\" height=\"3\" fill=\"%s\"/>%n",
                    LEFT + 10, TOP + 8 + 16 * s, colour));
            svg.append(text(LEFT + 28, TOP + 13 + 16 * s, series.get(s).name(), "start", 11));
        }
        return svg.append("</svg>\n").toString();
    }

    private static String percentileLabel(int nines) {
        return switch (nines) {
            case 0 -> "0%";
            case 1 -> "90%";
            case 2 -> "99%";
            case 3 -> "99.9%";
            case 4 -> "99.99%";
            default -> "99." + "9".repeat(nines - 2) + "%";
        };
    }

    static double niceCeiling(double value) {
        double magnitude = Math.pow(10, Math.floor(Math.log10(value)));
        for (double step : new double[] {1, 2, 2.5, 5, 10}) {
            if (step * magnitude >= value) {
                return step * magnitude;
            }
        }
        return 10 * magnitude;
    }

    private static String format(double v) {
        if (v == Math.rint(v)) {
            return String.format(Locale.ROOT, "%,d", (long) v);
        }
        return String.format(Locale.ROOT, "%.2f", v);
    }

    private static String line(double x1, double y1, double x2, double y2, String colour) {
        return String.format(Locale.ROOT, "<line x1=\"%.1f\" y1=\"%.1f\" x2=\"%.1f\" y2=\"%.1f\" stroke=\"%s\"/>%n",
                x1, y1, x2, y2, colour);
    }

    private static String text(double x, double y, String text, String anchor, int size) {
        return String.format(Locale.ROOT, "<text x=\"%.1f\" y=\"%.1f\" text-anchor=\"%s\" font-size=\"%d\">%s</text>%n",
                x, y, anchor, size, escape(text));
    }

    private static String escape(String s) {
        return s.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;");
    }
}
