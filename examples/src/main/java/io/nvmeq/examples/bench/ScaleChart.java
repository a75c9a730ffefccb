package io.nvmeq.examples.bench;

import java.util.List;
import java.util.Locale;

/**
 * The scaling chart as a hand-written SVG (no charting library in the jar): one panel per device model, I/Os per
 * second against queue pairs, the measured line beside the ideal one (the one-queue-pair rate times the number
 * of queue pairs).
 */
final class ScaleChart
{
    private static final int PANEL_WIDTH = 460;
    private static final int HEIGHT = 360;
    private static final int LEFT = 70;
    private static final int RIGHT = 20;
    private static final int TOP = 50;
    private static final int BOTTOM = 50;

    /** One panel's data. */
    record Series(String title, String subtitle, List<ScaleCommand.Point> points)
    {
    }

    private ScaleChart()
    {
    }

    static String svg(final String title, final List<Series> panels)
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
            panel(svg, i * PANEL_WIDTH, panels.get(i));
        }
        svg.append("</svg>\n");
        return svg.toString();
    }

    private static void panel(final StringBuilder svg, final int x0, final Series series)
    {
        final List<ScaleCommand.Point> points = series.points();
        final double plotWidth = PANEL_WIDTH - LEFT - RIGHT;
        final double plotHeight = HEIGHT - TOP - BOTTOM;
        double max = 1;
        for (final ScaleCommand.Point point : points)
        {
            max = Math.max(max, Math.max(point.iops(), point.ideal()));
        }
        final double yMax = niceCeiling(max * 1.05);
        final int n = points.size();
        final double left = x0 + LEFT;
        final double bottom = TOP + plotHeight;
        svg.append(String.format(Locale.ROOT, "<text x=\"%.1f\" y=\"38\" text-anchor=\"middle\" font-size=\"13\">" +
            "%s</text>%n", left + plotWidth / 2, escape(series.title())));
        // Axes, grid and y labels.
        for (int g = 0; g <= 5; g++)
        {
            final double y = bottom - plotHeight * g / 5;
            svg.append(String.format(Locale.ROOT, "<line x1=\"%.1f\" y1=\"%.1f\" x2=\"%.1f\" y2=\"%.1f\" " +
                "stroke=\"#ddd\"/>%n", left, y, left + plotWidth, y));
            svg.append(String.format(Locale.ROOT, "<text x=\"%.1f\" y=\"%.1f\" text-anchor=\"end\">%s</text>%n",
                left - 6, y + 4, FioFormat.count(yMax * g / 5)));
        }
        svg.append(String.format(Locale.ROOT, "<line x1=\"%.1f\" y1=\"%.1f\" x2=\"%.1f\" y2=\"%.1f\" stroke=\"black\"/>" +
            "%n<line x1=\"%.1f\" y1=\"%.1f\" x2=\"%.1f\" y2=\"%.1f\" stroke=\"black\"/>%n",
            left, (double)TOP, left, bottom, left, bottom, left + plotWidth, bottom));
        final double[] xs = new double[n];
        for (int i = 0; i < n; i++)
        {
            xs[i] = n == 1 ? left + plotWidth / 2 : left + 20 + (plotWidth - 40) * i / (n - 1);
            svg.append(String.format(Locale.ROOT, "<text x=\"%.1f\" y=\"%.1f\" text-anchor=\"middle\">%d</text>%n",
                xs[i], bottom + 16, points.get(i).queuePairs()));
        }
        svg.append(String.format(Locale.ROOT, "<text x=\"%.1f\" y=\"%.1f\" text-anchor=\"middle\">queue pairs " +
            "(%s)</text>%n", left + plotWidth / 2, bottom + 34, escape(series.subtitle())));
        svg.append(String.format(Locale.ROOT, "<text transform=\"translate(%.1f,%.1f) rotate(-90)\" " +
            "text-anchor=\"middle\">I/Os per second</text>%n", x0 + 14.0, TOP + plotHeight / 2));
        polyline(svg, xs, points, bottom, plotHeight, yMax, true);
        polyline(svg, xs, points, bottom, plotHeight, yMax, false);
        // Legend.
        svg.append(String.format(Locale.ROOT, "<line x1=\"%.1f\" y1=\"%d\" x2=\"%.1f\" y2=\"%d\" stroke=\"#888\" " +
            "stroke-dasharray=\"6,4\" stroke-width=\"2\"/><text x=\"%.1f\" y=\"%d\">ideal (linear)</text>%n",
            left + 10, TOP + 10, left + 40, TOP + 10, left + 46, TOP + 14));
        svg.append(String.format(Locale.ROOT, "<line x1=\"%.1f\" y1=\"%d\" x2=\"%.1f\" y2=\"%d\" stroke=\"#1f77b4\" " +
            "stroke-width=\"2\"/><text x=\"%.1f\" y=\"%d\">measured</text>%n",
            left + 10, TOP + 28, left + 40, TOP + 28, left + 46, TOP + 32));
    }

    private static void polyline(final StringBuilder svg, final double[] xs, final List<ScaleCommand.Point> points,
        final double bottom, final double plotHeight, final double yMax, final boolean ideal)
    {
        final StringBuilder coordinates = new StringBuilder();
        for (int i = 0; i < xs.length; i++)
        {
            final double value = ideal ? points.get(i).ideal() : points.get(i).iops();
            coordinates.append(String.format(Locale.ROOT, "%.1f,%.1f ", xs[i], bottom - plotHeight * value / yMax));
        }
        svg.append(String.format(Locale.ROOT, "<polyline fill=\"none\" stroke=\"%s\" stroke-width=\"2\"%s " +
            "points=\"%s\"/>%n", ideal ? "#888" : "#1f77b4", ideal ? " stroke-dasharray=\"6,4\"" : "",
            coordinates.toString().trim()));
        if (!ideal)
        {
            for (int i = 0; i < xs.length; i++)
            {
                final double y = bottom - plotHeight * points.get(i).iops() / yMax;
                svg.append(String.format(Locale.ROOT, "<circle cx=\"%.1f\" cy=\"%.1f\" r=\"4\" fill=\"#1f77b4\">" +
                    "<title>%d queue pair(s): %s IOPS</title></circle>%n", xs[i], y, points.get(i).queuePairs(),
                    FioFormat.count(points.get(i).iops())));
            }
        }
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

    private static String escape(final String text)
    {
        return text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;").replace("\"", "&quot;");
    }
}
