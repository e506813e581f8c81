package io.l2echo.bench;

import java.awt.BasicStroke;
import java.awt.Color;
import java.awt.Font;
import java.awt.geom.Ellipse2D;
import java.io.IOException;
import java.nio.file.Path;
import java.text.DecimalFormat;
import java.text.FieldPosition;
import java.text.NumberFormat;
import java.text.ParsePosition;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;
import java.util.function.Function;
import org.HdrHistogram.Histogram;
import org.jfree.chart.ChartUtils;
import org.jfree.chart.JFreeChart;
import org.jfree.chart.axis.LogAxis;
import org.jfree.chart.axis.NumberAxis;
import org.jfree.chart.axis.NumberTickUnit;
import org.jfree.chart.axis.SymbolAxis;
import org.jfree.chart.labels.ItemLabelAnchor;
import org.jfree.chart.labels.ItemLabelPosition;
import org.jfree.chart.labels.StandardXYItemLabelGenerator;
import org.jfree.chart.plot.CombinedDomainXYPlot;
import org.jfree.chart.plot.PlotOrientation;
import org.jfree.chart.plot.XYPlot;
import org.jfree.chart.renderer.xy.XYErrorRenderer;
import org.jfree.chart.renderer.xy.XYLineAndShapeRenderer;
import org.jfree.chart.ui.RectangleEdge;
import org.jfree.chart.ui.RectangleInsets;
import org.jfree.chart.ui.TextAnchor;
import org.jfree.data.xy.XYSeries;
import org.jfree.data.xy.XYSeriesCollection;
import org.jfree.data.xy.YIntervalSeries;
import org.jfree.data.xy.YIntervalSeriesCollection;

/**
 * The report's pictures, drawn by JFreeChart: {@link Report} says what to plot, this class how
 * the pictures look. Every picture is {@link #WIDTH} by {@link #HEIGHT} pixels, rendered
 * off-screen (no display needed).
 */
final class Plots {
    static final int WIDTH = 1000;
    static final int HEIGHT = 620;

    /* Tableau 10: told apart by most colour-blind readers, one colour per system in every picture. */
    private static final Color[] PALETTE = {new Color(0x4e79a7), new Color(0xf28e2b), new Color(0xe15759),
        new Color(0x76b7b2), new Color(0x59a14f), new Color(0xedc948), new Color(0xb07aa1), new Color(0xff9da7),
        new Color(0x9c755f), new Color(0xbab0ac)};
    private static final Color GRID = new Color(0xdddddd);
    /* Points per decade of the nines axis: enough for a smooth curve, few enough to draw 40 of them. */
    private static final int POINTS_PER_DECADE = 24;

    /** One system's round trips at one rate: its repeats' histograms (nanoseconds), the colour it has everywhere. */
    record LatencyCurves(String label, int colour, List<Histogram> repeats) {
    }

    /** A rate's median over the repeats, and the lowest and highest repeat. */
    record RateRange(double median, double min, double max) {
    }

    /** One system's no-loss and flat-out echo rates, and the colour it has everywhere. */
    record Rates(String label, int colour, RateRange noLoss, RateRange flatOut) {
    }

    private Plots() {
    }

    static Color colour(int index) {
        return PALETTE[index % PALETTE.length];
    }

    /**
     * HdrHistogram's percentile distribution: round-trip latency on a log axis against the
     * percentile on a log "nines" axis (x = 1 / (1 - percentile)), each curve running to its
     * trial's slowest frame. Repeats thin, their point-wise median bold and in the legend.
     */
    static void percentileDistribution(Path png, String title, List<LatencyCurves> systems) throws IOException {
        XYSeriesCollection curves = new XYSeriesCollection();
        XYLineAndShapeRenderer renderer = new XYLineAndShapeRenderer(true, false);
        double widest = 10;
        double lowest = Double.MAX_VALUE;
        double highest = 1;
        for (LatencyCurves system : systems) {
            List<Histogram> repeats = system.repeats().stream().filter(h -> h.getTotalCount() > 0).toList();
            if (repeats.isEmpty()) {
                continue;
            }
            Color colour = colour(system.colour());
            if (repeats.size() > 1) {
                Color faint = new Color(colour.getRed(), colour.getGreen(), colour.getBlue(), 110);
                for (int r = 0; r < repeats.size(); r++) {
                    int series = curves.getSeriesCount();
                    curves.addSeries(distribution(system.label() + " #" + (r + 1), List.of(repeats.get(r))));
                    renderer.setSeriesPaint(series, faint);
                    renderer.setSeriesStroke(series, new BasicStroke(1f));
                    renderer.setSeriesVisibleInLegend(series, false);
                }
            }
            int series = curves.getSeriesCount();
            curves.addSeries(distribution(system.label() + (repeats.size() > 1 ? " (median of " + repeats.size()
                    + ")" : ""), repeats));
            renderer.setSeriesPaint(series, colour);
            renderer.setSeriesStroke(series, new BasicStroke(3f, BasicStroke.CAP_ROUND, BasicStroke.JOIN_ROUND));
            widest = Math.max(widest, repeats.stream().mapToLong(Histogram::getTotalCount).max().orElse(10));
            lowest = Math.min(lowest, repeats.stream().mapToLong(Histogram::getMinValue).min().orElse(1) / 1000.0);
            highest = Math.max(highest, repeats.stream().mapToLong(Histogram::getMaxValue).max().orElse(1) / 1000.0);
        }
        LogAxis nines = new LogAxis("percentile (log scale of 1 / (1 - percentile): 90%, 99%, 99.9%, ...)");
        nines.setTickUnit(new NumberTickUnit(1));
        nines.setNumberFormatOverride(new NinesFormat());
        nines.setRange(1, Math.pow(10, Math.ceil(Math.log10(widest))));
        LogAxis latency = new LogAxis("round trip (µs, log scale)");
        // Decades where the curves span a few, else half decades: never labels like 15,848.9.
        double decades = Math.log10(highest / lowest);
        latency.setTickUnit(new NumberTickUnit(decades >= 2 ? 1 : 0.5));
        latency.setNumberFormatOverride(new DecimalFormat("#,##0.##"));
        latency.setMinorTickMarksVisible(true);
        XYPlot plot = new XYPlot(curves, nines, latency, renderer);
        save(png, title, plot);
    }

    /*
     * The curve of one histogram, or the point-wise median of several: the latency at each
     * point of the nines axis the shortest of them reaches, ending at the (median) slowest frame.
     */
    private static XYSeries distribution(String name, List<Histogram> repeats) {
        XYSeries series = new XYSeries(name, false, true);
        long points = repeats.stream().mapToLong(Histogram::getTotalCount).min().orElseThrow();
        for (int step = 0; ; step++) {
            double x = Math.pow(10, (double) step / POINTS_PER_DECADE);
            if (x >= points) {
                break;
            }
            double percentile = 100 * (1 - 1 / x);
            series.add(x, median(repeats.stream().mapToDouble(h -> h.getValueAtPercentile(percentile)).toArray()));
        }
        series.add(points, median(repeats.stream().mapToDouble(Histogram::getMaxValue).toArray()));
        // Nanoseconds to microseconds, never 0 on a log axis.
        XYSeries micros = new XYSeries(name, false, true);
        for (int i = 0; i < series.getItemCount(); i++) {
            micros.add(series.getX(i).doubleValue(), Math.max(0.01, series.getY(i).doubleValue() / 1000));
        }
        return micros;
    }

    private static double median(double[] values) {
        double[] sorted = values.clone();
        Arrays.sort(sorted);
        int n = sorted.length;
        return n % 2 == 1 ? sorted[n / 2] : (sorted[n / 2 - 1] + sorted[n / 2]) / 2;
    }

    /**
     * Two panels side by side, one row per system: the no-loss rate and the flat-out echo rate,
     * a dot at the median and a whisker from the lowest repeat to the highest, the median
     * written beside the dot. Each panel has its own linear axis, since no-loss rates on a
     * shared machine can be a hundredth of the flat-out ones.
     */
    static void rates(Path png, String title, int repeats, List<Rates> systems) throws IOException {
        String[] labels = systems.stream().map(Rates::label).toArray(String[]::new);
        SymbolAxis rows = new SymbolAxis(null, labels);
        rows.setInverted(true); // first system on top
        rows.setGridBandsVisible(false);
        CombinedDomainXYPlot plot = new CombinedDomainXYPlot(rows);
        plot.setGap(24);
        String spread = repeats > 1 ? ", median and min – max of " + repeats + " repeats" : "";
        plot.add(ratePanel("no-loss rate (frames/s" + spread + ")", systems, Rates::noLoss), 1);
        plot.add(ratePanel("flat out: echoed (frames/s" + spread + ")", systems, Rates::flatOut), 1);
        // After the panels are added: the combined plot passes its orientation on to those it has.
        plot.setOrientation(PlotOrientation.HORIZONTAL);
        JFreeChart chart = new JFreeChart(title, new Font(Font.SANS_SERIF, Font.BOLD, 16), plot, false);
        chart.setBackgroundPaint(Color.WHITE);
        ChartUtils.saveChartAsPNG(png.toFile(), chart, WIDTH, HEIGHT);
    }

    private static XYPlot ratePanel(String axis, List<Rates> systems,
            Function<Rates, RateRange> which) {
        YIntervalSeriesCollection data = new YIntervalSeriesCollection();
        XYErrorRenderer renderer = new XYErrorRenderer();
        renderer.setDefaultLinesVisible(false);
        renderer.setDrawXError(false);
        renderer.setCapLength(8);
        renderer.setErrorStroke(new BasicStroke(1.5f));
        // One series per system, so each keeps its colour.
        for (int i = 0; i < systems.size(); i++) {
            RateRange range = which.apply(systems.get(i));
            YIntervalSeries series = new YIntervalSeries(systems.get(i).label());
            series.add(i, range.median(), range.min(), range.max());
            data.addSeries(series);
            renderer.setSeriesPaint(i, colour(systems.get(i).colour()));
            renderer.setSeriesShape(i, new Ellipse2D.Double(-5, -5, 10, 10));
        }
        NumberFormat compact = NumberFormat.getCompactNumberInstance(Locale.US, NumberFormat.Style.SHORT);
        compact.setMaximumFractionDigits(2);
        renderer.setDefaultItemLabelGenerator(new StandardXYItemLabelGenerator("{2}", compact, compact));
        renderer.setDefaultItemLabelsVisible(true);
        renderer.setDefaultItemLabelFont(new Font(Font.SANS_SERIF, Font.BOLD, 12));
        renderer.setDefaultPositiveItemLabelPosition(new ItemLabelPosition(ItemLabelAnchor.OUTSIDE12,
                TextAnchor.BOTTOM_CENTER));
        NumberAxis rate = new NumberAxis(axis);
        rate.setNumberFormatOverride(compact);
        rate.setAutoRangeIncludesZero(true);
        rate.setUpperMargin(0.12);
        XYPlot panel = new XYPlot(data, null, rate, renderer);
        style(panel);
        return panel;
    }

    private static void save(Path png, String title, XYPlot plot) throws IOException {
        style(plot);
        JFreeChart chart = new JFreeChart(title, new Font(Font.SANS_SERIF, Font.BOLD, 16), plot, true);
        chart.setBackgroundPaint(Color.WHITE);
        chart.setPadding(new RectangleInsets(4, 8, 4, 28)); // room for the last nines label
        chart.getLegend().setPosition(RectangleEdge.BOTTOM);
        ChartUtils.saveChartAsPNG(png.toFile(), chart, WIDTH, HEIGHT);
    }

    private static void style(XYPlot plot) {
        plot.setBackgroundPaint(Color.WHITE);
        plot.setDomainGridlinePaint(GRID);
        plot.setRangeGridlinePaint(GRID);
        plot.setOutlineVisible(false);
    }

    /** Nines-axis labels: x = 1 / (1 - p) shown as p, with as many decimals as its nines need (99.99%). */
    private static final class NinesFormat extends NumberFormat {
        @Override
        public StringBuffer format(double x, StringBuffer to, FieldPosition position) {
            int decimals = Math.max(0, (int) Math.round(Math.log10(x)) - 2);
            return to.append(String.format(Locale.ROOT, "%." + decimals + "f%%", 100 * (1 - 1 / x)));
        }

        @Override
        public StringBuffer format(long x, StringBuffer to, FieldPosition position) {
            return format((double) x, to, position);
        }

        @Override
        public Number parse(String text, ParsePosition position) {
            throw new UnsupportedOperationException("axis labels are not parsed");
        }
    }
}
