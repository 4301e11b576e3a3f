package org.sparkbert.ingest.clean;

import com.cybozu.labs.langdetect.Detector;
import com.cybozu.labs.langdetect.DetectorFactory;
import com.cybozu.labs.langdetect.LangDetectException;
import com.cybozu.labs.langdetect.Language;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;

/**
 * Language identification as C4 did it: langdetect (the Java original of the Python port C4 used)
 * with its 53 bundled profiles and seed 0, taking the most probable language. The profiles are loaded
 * once per JVM (each executor loads them on first use); the detector itself is created per page.
 */
public final class LanguageIdentifier {
    /** The profiles inside langdetect-1.1-20120112.jar, under {@code profiles/}. */
    private static final String[] PROFILES = {
        "af", "ar", "bg", "bn", "cs", "da", "de", "el", "en", "es", "et", "fa", "fi", "fr", "gu", "he", "hi", "hr",
        "hu", "id", "it", "ja", "kn", "ko", "lt", "lv", "mk", "ml", "mr", "ne", "nl", "no", "pa", "pl", "pt", "ro",
        "ru", "sk", "sl", "so", "sq", "sv", "sw", "ta", "te", "th", "tl", "tr", "uk", "ur", "vi", "zh-cn", "zh-tw"};

    private static boolean loaded;

    /** The best guess for a text: a language code and its probability, or null when nothing could be detected. */
    public static final class Guess {
        public final String language;
        public final double probability;

        Guess(String language, double probability) {
            this.language = language;
            this.probability = probability;
        }
    }

    public LanguageIdentifier() {
        loadProfilesOnce();
    }

    public Guess identify(String text) {
        try {
            Detector detector = DetectorFactory.create();
            detector.append(text);
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

    private static synchronized void loadProfilesOnce() {
        if (loaded) {
            return;
        }
        List<String> json = new ArrayList<>();
        for (String name : PROFILES) {
            String resource = "profiles/" + name;
            try (InputStream in = DetectorFactory.class.getClassLoader().getResourceAsStream(resource)) {
                if (in == null) {
                    throw new IllegalStateException("langdetect profile " + resource + " is missing from the class path.");
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
        loaded = true;
    }
}
