package org.sparkbert.ingest.clean;

import com.cybozu.labs.langdetect.Detector;
import com.cybozu.labs.langdetect.DetectorFactory;
import com.cybozu.labs.langdetect.LangDetectException;
import com.cybozu.labs.langdetect.Language;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.lang.reflect.Field;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;

/**
 * Language identification as C4 did it: langdetect (the Java original of the Python port C4 used)
 * with its 53 bundled profiles and seed 0, taking the most probable language. The profiles are loaded
 * once per JVM (each executor loads them on first use) into an {@link NGramTable}, which answers
 * langdetect's lookups faster with the same content; the detector itself is created per page.
 *
 * <p>A page longer than the sample size is identified from a sample of it: {@value #WINDOWS} windows
 * of equal length spread evenly from its start to its end (cut at whitespace), joined by newlines.
 * langdetect itself reads only the first 10,000 characters of what it is given (after removing URLs
 * and e-mail addresses from all of it), so on long pages the sample sees more of the page, not less,
 * and it bounds the cost of a page whatever its length. 0 gives langdetect the whole text, as C4 did.
 */
public final class LanguageIdentifier {
    /** The profiles inside langdetect-1.1-20120112.jar, under {@code profiles/}. */
    private static final String[] PROFILES = {
        "af", "ar", "bg", "bn", "cs", "da", "de", "el", "en", "es", "et", "fa", "fi", "fr", "gu", "he", "hi", "hr",
        "hu", "id", "it", "ja", "kn", "ko", "lt", "lv", "mk", "ml", "mr", "ne", "nl", "no", "pa", "pl", "pt", "ro",
        "ru", "sk", "sl", "so", "sq", "sv", "sw", "ta", "te", "th", "tl", "tr", "uk", "ur", "vi", "zh-cn", "zh-tw"
    };

    /** How many windows a sample takes from a long page. */
    static final int WINDOWS = 4;

    private static boolean loaded;

    private final int sampleChars;

    /** The best guess for a text: a language code and its probability, or null when nothing could be detected. */
    public static final class Guess {
        public final String language;
        public final double probability;

        Guess(String language, double probability) {
            this.language = language;
            this.probability = probability;
        }
    }

    /** Identifies from the whole text, as C4 did. */
    public LanguageIdentifier() {
        this(0);
    }

    /** @param sampleChars identify a longer text from a sample of about this many characters; 0: the whole text */
    public LanguageIdentifier(int sampleChars) {
        if (sampleChars < 0 || (sampleChars > 0 && sampleChars < 4 * WINDOWS)) {
            throw new IllegalArgumentException("The language sample must be 0 (whole text) or at least " + 4 * WINDOWS
                    + " characters, not " + sampleChars + ".");
        }
        this.sampleChars = sampleChars;
        loadProfilesOnce();
    }

    public Guess identify(String text) {
        try {
            Detector detector = DetectorFactory.create();
            detector.append(sample(text, sampleChars));
            List<Language> ranked = detector.getProbabilities();
            if (ranked.isEmpty()) {
                return null;
            }
            Language best = ranked.get(0);
            return new Guess(best.lang, best.prob);
        } catch (LangDetectException e) {
            // langdetect's "no features in text": nothing it knows, so no language.
            return null;
        }
    }

    /**
     * The text itself when it has at most {@code chars} characters (or {@code chars} is 0); otherwise
     * {@link #WINDOWS} windows of {@code chars / WINDOWS} characters, the first at the start, the last at
     * the end and the others evenly between, each starting after and ending before whitespace where
     * it has any, joined by newlines. Deterministic: the same text gives the same sample.
     */
    static String sample(String text, int chars) {
        int n = text.length();
        if (chars <= 0 || n <= chars) {
            return text;
        }
        int width = chars / WINDOWS;
        long span = n - width;
        StringBuilder out = new StringBuilder(chars + WINDOWS);
        for (int w = 0; w < WINDOWS; w++) {
            int start = (int) (span * w / (WINDOWS - 1));
            int end = start + width;
            if (start > 0 && !Character.isWhitespace(text.charAt(start - 1))) {
                int s = start;
                while (s < end && !Character.isWhitespace(text.charAt(s))) {
                    s++;
                }
                if (s < end) {
                    start = s + 1;
                }
            }
            if (end < n && !Character.isWhitespace(text.charAt(end))) {
                int e = end;
                while (e > start && !Character.isWhitespace(text.charAt(e - 1))) {
                    e--;
                }
                if (e > start) {
                    end = e;
                }
            }
            if (w > 0) {
                out.append('\n');
            }
            out.append(text, start, end);
        }
        return out.toString();
    }

    private static synchronized void loadProfilesOnce() {
        if (loaded) {
            return;
        }
        List<String> json = new ArrayList<>();
        for (String name : PROFILES) {
            String resource = "profiles/" + name;
            try (InputStream in = DetectorFactory.class.getClassLoader().getResourceAsStream(resource)) {
                if (in == null) {
                    throw new IllegalStateException(
                            "langdetect profile " + resource + " is missing from the class path.");
                }
                json.add(new String(in.readAllBytes(), StandardCharsets.UTF_8));
            } catch (IOException e) {
                throw new UncheckedIOException("Cannot read langdetect profile " + resource, e);
            }
        }
        try {
            DetectorFactory.clear();
            DetectorFactory.loadProfile(json);
        } catch (LangDetectException e) {
            throw new IllegalStateException("Cannot load langdetect's profiles: " + e.getMessage(), e);
        }
        DetectorFactory.setSeed(0);
        useFastTable();
        loaded = true;
    }

    /** Puts the loaded n-gram table into an {@link NGramTable}: detectors created afterwards use it. */
    private static void useFastTable() {
        try {
            Field instance = DetectorFactory.class.getDeclaredField("instance_");
            instance.setAccessible(true);
            DetectorFactory factory = (DetectorFactory) instance.get(null);
            factory.wordLangProbMap = new NGramTable(factory.wordLangProbMap);
        } catch (ReflectiveOperationException | RuntimeException e) {
            // Another langdetect build: its own table gives the same answers, only slower.
        }
    }
}
