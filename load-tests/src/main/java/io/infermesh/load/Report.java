package io.infermesh.load;

import java.awt.BasicStroke;
import java.awt.Color;
import java.awt.Font;
import java.awt.Graphics2D;
import java.awt.RenderingHints;
import java.awt.image.BufferedImage;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.LocalDateTime;
import java.time.format.DateTimeFormatter;
import java.util.List;
import java.util.Locale;
import javax.imageio.ImageIO;

/** One run's output folder: {@code <out>/<date-time>-<scenario>/} with summary.md, data.csv and charts. */
final class Report {

    private final Path dir;

    Report(Options options, String scenario) {
        String stamp = LocalDateTime.now().format(DateTimeFormatter.ofPattern("yyyy-MM-dd'T'HH-mm-ss"));
        this.dir = Path.of(options.get("out")).resolve(stamp + "-" + scenario);
        try {
            Files.createDirectories(dir);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot create " + dir, e);
        }
    }

    Path dir() {
        return dir;
    }

    void write(String file, String content) {
        try {
            Files.writeString(dir.resolve(file), content);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot write " + dir.resolve(file), e);
        }
    }

    /** A stacked bar per row (bottom part and top part), like the paper's Figures 11 and 12. */
    void stackedBars(
            String file,
            String title,
            String unit,
            List<String> labels,
            double[] bottom,
            double[] top,
            String bottomName,
            String topName) {
        int width = 900;
        int height = 520;
        int left = 80;
        int right = 30;
        int topMargin = 60;
        int bottomMargin = 70;
        BufferedImage image = new BufferedImage(width, height, BufferedImage.TYPE_INT_RGB);
        Graphics2D g = image.createGraphics();
        g.setRenderingHint(RenderingHints.KEY_ANTIALIASING, RenderingHints.VALUE_ANTIALIAS_ON);
        g.setColor(Color.WHITE);
        g.fillRect(0, 0, width, height);
        double max = 0;
        for (int i = 0; i < labels.size(); i++) {
            max = Math.max(max, bottom[i] + top[i]);
        }
        max = niceCeiling(max);
        int plotHeight = height - topMargin - bottomMargin;
        int plotWidth = width - left - right;
        g.setColor(Color.BLACK);
        g.setFont(new Font(Font.SANS_SERIF, Font.BOLD, 16));
        g.drawString(title, left, 30);
        g.setFont(new Font(Font.SANS_SERIF, Font.PLAIN, 12));
        for (int t = 0; t <= 5; t++) {
            double value = max * t / 5;
            int y = topMargin + plotHeight - (int) (plotHeight * t / 5.0);
            g.setColor(new Color(225, 225, 225));
            g.drawLine(left, y, left + plotWidth, y);
            g.setColor(Color.DARK_GRAY);
            g.drawString(String.format(Locale.ROOT, "%.0f %s", value, unit), 5, y + 4);
        }
        int slot = plotWidth / Math.max(1, labels.size());
        int bar = (int) (slot * 0.6);
        Color blue = new Color(66, 114, 196);
        Color yellow = new Color(255, 192, 0);
        for (int i = 0; i < labels.size(); i++) {
            int x = left + i * slot + (slot - bar) / 2;
            int hBottom = (int) Math.round(plotHeight * bottom[i] / max);
            int hTop = (int) Math.round(plotHeight * top[i] / max);
            int base = topMargin + plotHeight;
            g.setColor(blue);
            g.fillRect(x, base - hBottom, bar, hBottom);
            g.setColor(yellow);
            g.fillRect(x, base - hBottom - hTop, bar, hTop);
            g.setColor(Color.DARK_GRAY);
            g.drawString(labels.get(i), x + bar / 2 - 4, base + 16);
        }
        g.setStroke(new BasicStroke(1));
        g.setColor(Color.BLACK);
        g.drawLine(left, topMargin + plotHeight, left + plotWidth, topMargin + plotHeight);
        g.setColor(blue);
        g.fillRect(left, height - 30, 14, 14);
        g.setColor(Color.BLACK);
        g.drawString(bottomName, left + 20, height - 18);
        g.setColor(yellow);
        g.fillRect(left + 200, height - 30, 14, 14);
        g.setColor(Color.BLACK);
        g.drawString(topName, left + 220, height - 18);
        g.drawString("execution", left + plotWidth / 2 - 25, height - 40);
        g.dispose();
        try {
            ImageIO.write(image, "png", dir.resolve(file).toFile());
        } catch (IOException e) {
            throw new UncheckedIOException("cannot write " + dir.resolve(file), e);
        }
    }

    /**
     * One panel of {@link #barPanels}: a quantity with its own scale.
     *
     * @param title the quantity and its unit
     * @param values one per label
     */
    record Panel(String title, double[] values) {}

    /** Side-by-side panels of one bar per label, each panel on its own scale (e.g. cost beside deadline misses). */
    void barPanels(String file, String title, List<String> labels, List<Panel> panels) {
        int panelWidth = 440;
        int width = panelWidth * panels.size() + 20;
        int height = 480;
        int topMargin = 80;
        int bottomMargin = 50;
        int left = 70;
        BufferedImage image = new BufferedImage(width, height, BufferedImage.TYPE_INT_RGB);
        Graphics2D g = image.createGraphics();
        g.setRenderingHint(RenderingHints.KEY_ANTIALIASING, RenderingHints.VALUE_ANTIALIAS_ON);
        g.setColor(Color.WHITE);
        g.fillRect(0, 0, width, height);
        g.setColor(Color.BLACK);
        g.setFont(new Font(Font.SANS_SERIF, Font.BOLD, 16));
        g.drawString(title, 20, 28);
        Color[] colours = {new Color(66, 114, 196), new Color(237, 125, 49)};
        int plotHeight = height - topMargin - bottomMargin;
        for (int p = 0; p < panels.size(); p++) {
            Panel panel = panels.get(p);
            int x0 = 10 + p * panelWidth + left;
            int plotWidth = panelWidth - left - 20;
            double max = 0;
            for (double v : panel.values()) {
                max = Math.max(max, v);
            }
            max = niceCeiling(max);
            g.setFont(new Font(Font.SANS_SERIF, Font.BOLD, 13));
            g.setColor(Color.BLACK);
            g.drawString(panel.title(), x0, topMargin - 20);
            g.setFont(new Font(Font.SANS_SERIF, Font.PLAIN, 12));
            for (int t = 0; t <= 5; t++) {
                double value = max * t / 5;
                int y = topMargin + plotHeight - (int) (plotHeight * t / 5.0);
                g.setColor(new Color(225, 225, 225));
                g.drawLine(x0, y, x0 + plotWidth, y);
                g.setColor(Color.DARK_GRAY);
                g.drawString(String.format(Locale.ROOT, max >= 10 ? "%.0f" : "%.2f", value), x0 - left + 5, y + 4);
            }
            int slot = plotWidth / Math.max(1, labels.size());
            int bar = (int) (slot * 0.6);
            int base = topMargin + plotHeight;
            for (int i = 0; i < labels.size(); i++) {
                int x = x0 + i * slot + (slot - bar) / 2;
                int h = (int) Math.round(plotHeight * panel.values()[i] / max);
                g.setColor(colours[p % colours.length]);
                g.fillRect(x, base - h, bar, h);
                g.setColor(Color.DARK_GRAY);
                String label = labels.get(i);
                g.drawString(label, x + bar / 2 - g.getFontMetrics().stringWidth(label) / 2, base + 16);
                String value = String.format(Locale.ROOT, panel.values()[i] >= 10 ? "%.0f" : "%.2f", panel.values()[i]);
                g.drawString(value, x + bar / 2 - g.getFontMetrics().stringWidth(value) / 2, base - h - 4);
            }
            g.setColor(Color.BLACK);
            g.drawLine(x0, base, x0 + plotWidth, base);
        }
        g.dispose();
        try {
            ImageIO.write(image, "png", dir.resolve(file).toFile());
        } catch (IOException e) {
            throw new UncheckedIOException("cannot write " + dir.resolve(file), e);
        }
    }

    private static double niceCeiling(double value) {
        if (value <= 0) {
            return 1;
        }
        double magnitude = Math.pow(10, Math.floor(Math.log10(value)));
        for (double step : new double[] {1, 2, 2.5, 5, 10}) {
            if (step * magnitude >= value) {
                return step * magnitude;
            }
        }
        return 10 * magnitude;
    }
}
