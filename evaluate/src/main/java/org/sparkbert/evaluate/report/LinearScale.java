package org.sparkbert.evaluate.report;

import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

/** Maps data values onto pixels, over a domain widened to "nice" round tick values (1, 2 or 5 times a power of ten). */
final class LinearScale {
    private final double lo;
    private final double hi;
    private final double step;
    private final double pixelLo;
    private final double pixelHi;

    LinearScale(double min, double max, double pixelLo, double pixelHi, int targetTicks) {
        if (!(max > min)) {
            double pad = min == 0 ? 1 : Math.abs(min) * 0.1;
            min -= pad;
            max += pad;
        }
        this.step = niceStep((max - min) / targetTicks);
        this.lo = Math.floor(min / step) * step;
        this.hi = Math.ceil(max / step) * step;
        this.pixelLo = pixelLo;
        this.pixelHi = pixelHi;
    }

    double pixel(double value) {
        return pixelLo + (value - lo) / (hi - lo) * (pixelHi - pixelLo);
    }

    double lo() {
        return lo;
    }

    List<Double> ticks() {
        List<Double> ticks = new ArrayList<>();
        long count = Math.round((hi - lo) / step);
        for (long i = 0; i <= count; i++) {
            ticks.add(lo + i * step);
        }
        return ticks;
    }

    String label(double value) {
        if (Math.abs(value) < step / 2) {
            return "0";
        }
        double magnitude = Math.max(Math.abs(lo), Math.abs(hi));
        if (magnitude >= 1e6 || step < 1e-3) {
            return String.format(Locale.ROOT, "%.1e", value);
        }
        int decimals = step >= 1 ? 0 : (int) Math.ceil(-Math.log10(step) - 1e-9);
        return String.format(Locale.ROOT, "%." + decimals + "f", value);
    }

    private static double niceStep(double rough) {
        double power = Math.pow(10, Math.floor(Math.log10(rough)));
        double fraction = rough / power;
        double nice = fraction <= 1 ? 1 : fraction <= 2 ? 2 : fraction <= 5 ? 5 : 10;
        return nice * power;
    }
}
