package org.sparkbert.job;

import java.math.BigDecimal;
import java.util.HashMap;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * The values a numeric setting accepts, as its {@code conf/*.properties} file declares them in the
 * comment line just above the key: {@code # range: [0, 1]}, {@code (0, inf)}, {@code [1, 2147483647]}
 * (square brackets include the bound, round ones exclude it). Compared as decimals, so a value too
 * large for any Java number is out of range, not a parse failure in the middle of a job.
 */
final class SettingRange implements java.io.Serializable {
    private static final long serialVersionUID = 1L;
    private static final Pattern ANNOTATION =
            Pattern.compile("#\\s*range:\\s*([\\[(])\\s*(-inf|[-+0-9.eE]+)\\s*,\\s*(inf|[-+0-9.eE]+)\\s*([\\])])\\s*");
    private static final Pattern KEY_LINE = Pattern.compile("([A-Za-z0-9_.\\-]+)\\s*[=:].*");

    private final String text;
    private final BigDecimal low;
    private final BigDecimal high;
    private final boolean lowIncluded;
    private final boolean highIncluded;

    private SettingRange(String text, BigDecimal low, boolean lowIncluded, BigDecimal high, boolean highIncluded) {
        this.text = text;
        this.low = low;
        this.lowIncluded = lowIncluded;
        this.high = high;
        this.highIncluded = highIncluded;
    }

    /** The range of each key of a properties file's text whose line follows a {@code # range:} comment. */
    static Map<String, SettingRange> declaredIn(String propertiesText, String fileName) {
        Map<String, SettingRange> ranges = new HashMap<>();
        SettingRange pending = null;
        for (String raw : propertiesText.split("\n")) {
            String line = raw.strip();
            if (line.startsWith("#") && line.contains("range:")) {
                Matcher m = ANNOTATION.matcher(line);
                if (!m.matches()) {
                    throw new IllegalStateException(fileName + ": cannot read '" + line
                            + "'; write # range: [low, high]" + " with inf or -inf for no bound.");
                }
                pending = new SettingRange(
                        line.substring(line.indexOf(':') + 1).strip(),
                        bound(m.group(2)),
                        m.group(1).equals("["),
                        bound(m.group(3)),
                        m.group(4).equals("]"));
                continue;
            }
            Matcher key = KEY_LINE.matcher(line);
            if (pending != null && key.matches()) {
                ranges.put(key.group(1), pending);
            }
            pending = null;
        }
        return ranges;
    }

    private static BigDecimal bound(String s) {
        return s.endsWith("inf") ? null : new BigDecimal(s);
    }

    boolean contains(String value) {
        BigDecimal v = new BigDecimal(value.trim());
        if (low != null && (lowIncluded ? v.compareTo(low) < 0 : v.compareTo(low) <= 0)) {
            return false;
        }
        return high == null || (highIncluded ? v.compareTo(high) <= 0 : v.compareTo(high) < 0);
    }

    @Override
    public String toString() {
        return text;
    }
}
