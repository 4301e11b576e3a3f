package org.sparkbert.job;

import java.io.IOException;
import java.io.InputStream;
import java.io.Reader;
import java.io.StringReader;
import java.math.BigInteger;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Collections;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.TreeMap;

/**
 * The project settings of a stage: the defaults from the {@code conf/*.properties} files that the
 * stage declares (bundled in the jars from the repository's {@code conf/} folder), overridden by an
 * optional settings file and then by {@code --conf key=value}. A key that no default file defines is
 * an error naming the nearest valid key; a value whose type differs from its default's, or a number
 * outside the range its file declares ({@link SettingRange}; every numeric key has one), is an error
 * naming the key. Keys under {@code spark.} are not settings: they go to Spark, from a settings file
 * too ({@link #sparkSettingsIn}).
 */
public final class Settings implements java.io.Serializable {
    private static final long serialVersionUID = 1L;

    private static final BigInteger LONG_MIN = BigInteger.valueOf(Long.MIN_VALUE);
    private static final BigInteger LONG_MAX = BigInteger.valueOf(Long.MAX_VALUE);

    private final Map<String, String> defaults;
    private final Map<String, String> values;

    private Settings(Map<String, String> defaults, Map<String, String> values) {
        this.defaults = defaults;
        this.values = values;
    }

    /**
     * @param confFiles  names of the bundled defaults files, e.g. {@code "ingest.properties"}
     * @param settingsFile an optional user properties file (null for none)
     * @param overrides  {@code key=value} pairs from {@code --conf}, spark keys already removed
     */
    public static Settings load(List<String> confFiles, Path settingsFile, Map<String, String> overrides) {
        Map<String, String> texts = new LinkedHashMap<>();
        for (String file : confFiles) {
            texts.put(file, readBundled(file));
        }
        return load(texts, settingsFile, overrides);
    }

    /** As {@link #load(List, Path, Map)}, from the texts of the defaults files by name. */
    static Settings load(Map<String, String> confTexts, Path settingsFile, Map<String, String> overrides) {
        Map<String, String> defaults = new TreeMap<>();
        Map<String, SettingRange> ranges = new HashMap<>();
        for (Map.Entry<String, String> conf : confTexts.entrySet()) {
            String file = conf.getKey();
            String text = conf.getValue();
            Map<String, String> fileDefaults = parse(text);
            Map<String, SettingRange> fileRanges = SettingRange.declaredIn(text, "conf/" + file);
            checkDefaults(file, fileDefaults, fileRanges);
            defaults.putAll(fileDefaults);
            ranges.putAll(fileRanges);
        }
        Map<String, String> values = new TreeMap<>(defaults);
        if (settingsFile != null) {
            Map<String, String> fromFile = readFile(settingsFile);
            for (Map.Entry<String, String> e : fromFile.entrySet()) {
                if (e.getKey().startsWith("spark.")) {
                    continue;
                }
                checkKnownAndTyped(defaults, ranges, e.getKey(), e.getValue(), "in " + settingsFile);
                values.put(e.getKey(), e.getValue());
            }
        }
        for (Map.Entry<String, String> e : overrides.entrySet()) {
            checkKnownAndTyped(defaults, ranges, e.getKey(), e.getValue(), "in --conf");
            values.put(e.getKey(), e.getValue());
        }
        return new Settings(Collections.unmodifiableMap(defaults), Collections.unmodifiableMap(values));
    }

    /** The {@code spark.} keys of a settings file (none without one), which go to Spark as {@code --conf} would. */
    public static Map<String, String> sparkSettingsIn(Path settingsFile) {
        Map<String, String> spark = new TreeMap<>();
        if (settingsFile != null) {
            readFile(settingsFile).forEach((k, v) -> {
                if (k.startsWith("spark.")) {
                    spark.put(k, v);
                }
            });
        }
        return spark;
    }

    /** A numeric default without a declared range, or outside it, is a mistake in conf/, caught by every test that loads it. */
    private static void checkDefaults(String file, Map<String, String> defaults, Map<String, SettingRange> ranges) {
        defaults.forEach((key, value) -> {
            String type = typeOf(value);
            if (!type.equals("integer") && !type.equals("number")) {
                return;
            }
            SettingRange range = ranges.get(key);
            if (range == null) {
                throw new IllegalStateException("conf/" + file + ": numeric setting '" + key
                        + "' has no '# range: [low, high]' comment line above it.");
            }
            if (!range.contains(value)) {
                throw new IllegalStateException("conf/" + file + ": the default of '" + key + "', " + value
                        + ", lies outside its range " + range + ".");
            }
        });
    }

    /** Settings made from explicit values only, for tests and for library use outside a stage. */
    public static Settings of(Map<String, String> values) {
        return new Settings(Map.copyOf(values), Map.copyOf(values));
    }

    private static void checkKnownAndTyped(
            Map<String, String> defaults, Map<String, SettingRange> ranges, String key, String value, String where) {
        if (!defaults.containsKey(key)) {
            String hint = NearestKey.among(key, defaults.keySet())
                    .map(k -> " Did you mean '" + k + "'?")
                    .orElse(" Run the stage with --help for its settings, or see the files in conf/.");
            throw new UsageException("Unknown setting '" + key + "' " + where + "." + hint);
        }
        String expected = typeOf(defaults.get(key));
        if (!typeOf(value).equals(expected)
                && !(expected.equals("number") && typeOf(value).equals("integer"))
                && !expected.equals("text")) {
            throw new UsageException("Setting '" + key + "' " + where + " must be " + expected + " (like its default '"
                    + defaults.get(key) + "'), not '" + value + "'.");
        }
        SettingRange range = ranges.get(key);
        boolean longInteger = !expected.equals("integer") || fitsInLong(value);
        if (range != null && (!longInteger || !range.contains(value))) {
            throw new UsageException("Setting '" + key + "' must lie in " + range + ", not " + value.trim() + " ("
                    + where + "; its default is " + defaults.get(key) + ").");
        }
    }

    private static boolean fitsInLong(String integer) {
        BigInteger v = new BigInteger(integer.trim());
        return v.compareTo(LONG_MIN) >= 0 && v.compareTo(LONG_MAX) <= 0;
    }

    private static String typeOf(String value) {
        String v = value.trim();
        if (v.equals("true") || v.equals("false")) {
            return "boolean";
        }
        if (v.matches("-?\\d+")) {
            return "integer";
        }
        if (v.matches("-?(\\d+\\.?\\d*|\\.\\d+)([eE][-+]?\\d+)?")) {
            return "number";
        }
        return "text";
    }

    private static String readBundled(String file) {
        String resource = "conf/" + file;
        try (InputStream in = Settings.class.getClassLoader().getResourceAsStream(resource)) {
            if (in == null) {
                throw new IllegalStateException("Bundled defaults " + resource + " are missing from the class path;"
                        + " rebuild with 'mvn package'.");
            }
            return new String(in.readAllBytes(), StandardCharsets.UTF_8);
        } catch (IOException e) {
            throw new IllegalStateException("Cannot read bundled " + resource, e);
        }
    }

    private static Map<String, String> readFile(Path file) {
        if (!Files.isRegularFile(file)) {
            throw new UsageException("Settings file " + file + " does not exist.");
        }
        try (Reader r = Files.newBufferedReader(file, StandardCharsets.UTF_8)) {
            return read(r);
        } catch (IOException e) {
            throw new UsageException("Cannot read settings file " + file + ": " + e.getMessage());
        }
    }

    private static Map<String, String> parse(String text) {
        try {
            return read(new StringReader(text));
        } catch (IOException e) {
            throw new IllegalStateException("A string cannot fail to read", e);
        }
    }

    private static Map<String, String> read(Reader reader) throws IOException {
        Properties p = new Properties();
        p.load(reader);
        Map<String, String> m = new LinkedHashMap<>();
        for (String k : p.stringPropertyNames()) {
            m.put(k.trim(), p.getProperty(k).trim());
        }
        return m;
    }

    public String string(String key) {
        String v = values.get(key);
        if (v == null) {
            throw new IllegalArgumentException("No setting '" + key + "' is defined in conf/ (a programming error).");
        }
        return v;
    }

    public int integer(String key) {
        return Integer.parseInt(string(key));
    }

    public long longValue(String key) {
        return Long.parseLong(string(key));
    }

    public double number(String key) {
        return Double.parseDouble(string(key));
    }

    public boolean flag(String key) {
        return Boolean.parseBoolean(string(key));
    }

    /** Every setting and its value, sorted: what a report records and what a fingerprint hashes. */
    public Map<String, String> asMap() {
        return values;
    }

    /** The settings under a prefix, e.g. all {@code ingest.} keys. */
    public Map<String, String> withPrefix(String prefix) {
        Map<String, String> m = new TreeMap<>();
        values.forEach((k, v) -> {
            if (k.startsWith(prefix)) {
                m.put(k, v);
            }
        });
        return m;
    }

    public boolean isDefault(String key) {
        return values.get(key).equals(defaults.get(key));
    }
}
