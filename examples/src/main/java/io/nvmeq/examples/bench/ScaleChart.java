package io.nvmeq.examples.bench;

import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

/**
 * The scaling chart as a hand-written SVG (no charting library in the jar): one panel per device model, I/Os per
 * second against queue pairs on linear axes — so the ideal line (the one-queue-pair rate times the queue pairs)
 * is the straight line it is — the measured median of each point with its spread (min to max of the runs) as an
 * error bar, and a marker at the number of CPUs, past which queue pairs share CPUs.
 */
final class ScaleChart
{
    private static final int PANEL_WIDTH = 520;
    private static final int HEIGHT = 420;
    private static final int LEFT = 70;
    private static final int RIGHT = 24;
    private static final int TOP = 86;
    private static final int BOTTOM = 52;
    /** Characters of a device URI per line of a panel's subtitle (10 px sans-serif fits the panel). */
    private static final int SUBTITLE_CHARS = 80;

    /** One panel's data: its model's name, its device URI, its points. */
    record Series(String title, String subtitle, List<ScaleCommand.Point> points)
    {
    }

    private ScaleChart()
    {
    }

    /**
     * @param cpus   CPUs of the machine, marked on the x axis
     * @param repeat runs per point, named in the legend
     */
    static String svg(final String title, final int cpus, final int repeat, final List<Series> panels)
    {
        final int width = PANEL_WIDTH * Math.max(1, panels.size());
        final StringBuilder svg = new StringBuilder(8192);
        svg.append(String.format(Locale.ROOT, "<svg xmlns=\"http://www.w3.org/2000/svg\" width=\"%d\" height=\"%d\" " +
            "viewBox=\"0 0 %d %d\" font-family=\"sans-serif\" font-size=\"12\">%n", width, HEIGHT, width, HEIGHT));
        svg.append(String.format(Locale.ROOT, "<rect width=\"%d\" height=\"%d\" fill=\"white\"/>%n", width, HEIGHT));
        svg.append(String.format(Locale.ROOT, "<text x=\"%d\" y=\"20\" text-anchor=\"middle\" font-size=\"15\">%s" +
            "</text>%n", width / 2, escape(title)));
        for (int i = 0; i < panels.size(); i++)
        {
            panel(svg, i * PANEL_WIDTH, panels.get(i), cpus, repeat);
        }
        svg.append("</svg>\n");
        return svg.toString();
    }

    private static void panel(final StringBuilder svg, final int x0, final Series series, final int cpus,
        final int repeat)
    {
        final List<ScaleCommand.Point> points = series.points();
        final double plotWidth = PANEL_WIDTH - LEFT - RIGHT;
        final double plotHeight = HEIGHT - TOP - BOTTOM;
        double max = 1;
        int maxQueuePairs = Math.max(1, cpus);
        for (final ScaleCommand.Point point : points)
        {
            max = Math.max(max, Math.max(point.maxIops(), point.ideal()));
            maxQueuePairs = Math.max(maxQueuePairs, point.queuePairs());
        }
        final double yStep = niceCeiling(max * 1.05 / 5);
        final double yMax = yStep * 5;
        final double xMax = maxQueuePairs;
        final double left = x0 + LEFT;
        final double bottom = TOP + plotHeight;
        final double centre = left + plotWidth / 2;
        svg.append(String.format(Locale.ROOT, "<text x=\"%.1f\" y=\"42\" text-anchor=\"middle\" font-size=\"13\">" +
            "%s</text>%n", centre, escape(series.title())));
        final List<String> lines = wrap(series.subtitle(), SUBTITLE_CHARS);
        for (int i = 0; i < lines.size() && i < 2; i++)
        {
            svg.append(String.format(Locale.ROOT, "<text x=\"%.1f\" y=\"%d\" text-anchor=\"middle\" font-size=\"10\" " +
                "fill=\"#444\">%s</text>%n", centre, 58 + 12 * i, escape(lines.get(i))));
        }
        // Grid and y labels, every label in one unit with the decimals the step needs.
        final String[] labels = tickLabels(yStep, 5);
        for (int g = 0; g <= 5; g++)
        {
            final double y = bottom - plotHeight * g / 5;
            svg.append(String.format(Locale.ROOT, "<line x1=\"%.1f\" y1=\"%.1f\" x2=\"%.1f\" y2=\"%.1f\" " +
                "stroke=\"#ddd\"/>%n", left, y, left + plotWidth, y));
            svg.append(String.format(Locale.ROOT, "<text x=\"%.1f\" y=\"%.1f\" text-anchor=\"end\">%s</text>%n",
                left - 6, y + 4, labels[g]));
        }
        svg.append(String.format(Locale.ROOT, "<line x1=\"%.1f\" y1=\"%.1f\" x2=\"%.1f\" y2=\"%.1f\" stroke=\"black\"/>" +
            "%n<line x1=\"%.1f\" y1=\"%.1f\" x2=\"%.1f\" y2=\"%.1f\" stroke=\"black\"/>%n",
            left, (double)TOP, left, bottom, left, bottom, left + plotWidth, bottom));
        final double xScale = plotWidth / xMax;
        final double yScale = plotHeight / yMax;
        for (final ScaleCommand.Point point : points)
        {
            svg.append(String.format(Locale.ROOT, "<text x=\"%.1f\" y=\"%.1f\" text-anchor=\"middle\">%d</text>%n",
                left + point.queuePairs() * xScale, bottom + 16, point.queuePairs()));
        }
        svg.append(String.format(Locale.ROOT, "<text x=\"%.1f\" y=\"%.1f\" text-anchor=\"middle\">queue pairs " +
            "(linear scale)</text>%n", centre, bottom + 38));
        svg.append(String.format(Locale.ROOT, "<text transform=\"translate(%.1f,%.1f) rotate(-90)\" " +
            "text-anchor=\"middle\">I/Os per second</text>%n", x0 + 14.0, TOP + plotHeight / 2));
        // The CPU count: past it, queue pairs share CPUs.
        final double cpuX = left + cpus * xScale;
        svg.append(String.format(Locale.ROOT, "<line x1=\"%.1f\" y1=\"%d\" x2=\"%.1f\" y2=\"%.1f\" stroke=\"#d62728\" " +
            "stroke-dasharray=\"2,3\"/><text x=\"%.1f\" y=\"%d\" text-anchor=\"middle\" fill=\"#d62728\" " +
            "font-size=\"11\">%d CPUs</text>%n", cpuX, TOP, cpuX, bottom, cpuX, TOP - 4, cpus));
        // Ideal: a straight line from the origin through the one-queue-pair median.
        if (!points.isEmpty())
        {
            final ScaleCommand.Point last = points.get(points.size() - 1);
            svg.append(String.format(Locale.ROOT, "<line x1=\"%.1f\" y1=\"%.1f\" x2=\"%.1f\" y2=\"%.1f\" " +
                "stroke=\"#888\" stroke-dasharray=\"6,4\" stroke-width=\"2\"/>%n", left, bottom,
                left + last.queuePairs() * xScale, bottom - last.ideal() * yScale));
        }
        final StringBuilder coordinates = new StringBuilder();
        for (final ScaleCommand.Point point : points)
        {
            coordinates.append(String.format(Locale.ROOT, "%.1f,%.1f ", left + point.queuePairs() * xScale,
                bottom - point.iops() * yScale));
        }
        svg.append(String.format(Locale.ROOT, "<polyline fill=\"none\" stroke=\"#1f77b4\" stroke-width=\"2\" " +
            "points=\"%s\"/>%n", coordinates.toString().trim()));
        for (final ScaleCommand.Point point : points)
        {
            final double x = left + point.queuePairs() * xScale;
            final double low = bottom - point.minIops() * yScale;
            final double high = bottom - point.maxIops() * yScale;
            svg.append(String.format(Locale.ROOT, "<path d=\"M%.1f,%.1f V%.1f M%.1f,%.1f H%.1f M%.1f,%.1f H%.1f\" " +
                "stroke=\"#1f77b4\" stroke-width=\"1.5\"/>%n", x, low, high, x - 5, low, x + 5, x - 5, high, x + 5));
            svg.append(String.format(Locale.ROOT, "<circle cx=\"%.1f\" cy=\"%.1f\" r=\"4\" fill=\"#1f77b4\">" +
                "<title>%d queue pair(s): median %s IOPS, min %s, max %s</title></circle>%n", x,
                bottom - point.iops() * yScale, point.queuePairs(), FioFormat.count(point.iops()),
                FioFormat.count(point.minIops()), FioFormat.count(point.maxIops())));
        }
        // Legend.
        svg.append(String.format(Locale.ROOT, "<line x1=\"%.1f\" y1=\"%d\" x2=\"%.1f\" y2=\"%d\" stroke=\"#888\" " +
            "stroke-dasharray=\"6,4\" stroke-width=\"2\"/><text x=\"%.1f\" y=\"%d\">ideal (linear)</text>%n",
            left + 10, TOP + 10, left + 40, TOP + 10, left + 46, TOP + 14));
        svg.append(String.format(Locale.ROOT, "<line x1=\"%.1f\" y1=\"%d\" x2=\"%.1f\" y2=\"%d\" stroke=\"#1f77b4\" " +
            "stroke-width=\"2\"/><text x=\"%.1f\" y=\"%d\">measured: median of %d run(s), bar: min to max</text>%n",
            left + 10, TOP + 28, left + 40, TOP + 28, left + 46, TOP + 32, repeat));
    }

    /** Labels for 0, step, 2 step, ... in one unit (none, k or M) and one number of decimals. */
    static String[] tickLabels(final double step, final int steps)
    {
        final double top = step * steps;
        final double unit = top >= 1e6 ? 1e6 : top >= 1e3 ? 1e3 : 1;
        final String suffix = unit == 1e6 ? "M" : unit == 1e3 ? "k" : "";
        int decimals = 0;
        while (decimals < 3 && Math.abs(step / unit * Math.pow(10, decimals) -
            Math.rint(step / unit * Math.pow(10, decimals))) > 1e-6)
        {
            decimals++;
        }
        final String[] labels = new String[steps + 1];
        for (int i = 0; i <= steps; i++)
        {
            labels[i] = i == 0 ? "0" : String.format(Locale.ROOT, "%." + decimals + "f", i * step / unit) + suffix;
        }
        return labels;
    }

    /** A round number (1, 1.5, 2, 2.5, 3, 4, 5, 6 or 8 times a power of ten) at least {@code value}. */
    static double niceCeiling(final double value)
    {
        final double magnitude = Math.pow(10, Math.floor(Math.log10(value)));
        for (final double step : new double[] {1, 1.5, 2, 2.5, 3, 4, 5, 6, 8, 10})
        {
            if (step * magnitude >= value)
            {
                return step * magnitude;
            }
        }
        return 10 * magnitude;
    }

    /** Splits {@code text} into lines of at most {@code width} characters, at '&amp;', ',' or anywhere. */
    static List<String> wrap(final String text, final int width)
    {
        final List<String> lines = new ArrayList<>();
        String rest = text;
        while (rest.length() > width)
        {
            int cut = Math.max(rest.lastIndexOf('&', width), rest.lastIndexOf(',', width - 1) + 1);
            if (cut <= 0)
            {
                cut = width;
            }
            lines.add(rest.substring(0, cut));
            rest = rest.substring(cut);
        }
        lines.add(rest);
        return lines;
    }

    private static String escape(final String text)
    {
        return text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;").replace("\"", "&quot;");
    }
}
