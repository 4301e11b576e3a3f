package org.sparkbert.evaluate.report;

import java.util.Locale;

/** How the report prints numbers: scores as percentages with one decimal, a dash for a missing value. */
final class Formats {
    static final String MISSING = "–";

    private Formats() {}

    static String percent(double fraction) {
        return Double.isFinite(fraction) ? String.format(Locale.ROOT, "%.1f", 100 * fraction) : MISSING;
    }

    static String number(double value, int decimals) {
        return Double.isFinite(value) ? String.format(Locale.ROOT, "%." + decimals + "f", value) : MISSING;
    }

    static String scientific(double value) {
        return Double.isFinite(value) ? String.format(Locale.ROOT, "%.3g", value) : MISSING;
    }

    static String integer(long value) {
        return value < 0 ? MISSING : String.format(Locale.ROOT, "%,d", value);
    }

    static String duration(double seconds) {
        if (!Double.isFinite(seconds)) {
            return MISSING;
        }
        long s = Math.round(seconds);
        return String.format(Locale.ROOT, "%dh %02dm %02ds", s / 3600, s / 60 % 60, s % 60);
    }
}
