package org.sparkbert.ingest.clean;

/**
 * All page rules of the ingest stage, cheapest first: the page length, C4's {@code clean_page}, the
 * bad words, then language identification on the cleaned text (C4 identifies the language after
 * cleaning too). A page dropped by an earlier rule is not examined by a later one, so each dropped
 * page carries exactly one reason. One per task: it holds non-thread-safe iterators.
 */
public final class PageFilter {
    private final CleaningRules rules;
    private final C4PageCleaner cleaner;
    private final BadWords badWords;
    private final LanguageIdentifier languages;

    public PageFilter(CleaningRules rules) {
        this.rules = rules;
        this.cleaner = new C4PageCleaner(rules);
        this.badWords = rules.badwords ? BadWords.english() : null;
        this.languages = rules.language ? new LanguageIdentifier(rules.languageSampleChars) : null;
    }

    public PageVerdict judge(String page) {
        if (rules.maxPageLength
                && page.length() > rules.maxPageChars
                && page.codePointCount(0, page.length()) > rules.maxPageChars) {
            return PageVerdict.dropped(PageDropReason.PAGE_TOO_LONG, new int[LineRule.values().length]);
        }
        PageVerdict cleaned = cleaner.clean(page);
        if (!cleaned.isKept()) {
            return cleaned;
        }
        if (badWords != null && badWords.findIn(cleaned.text) != null) {
            return PageVerdict.dropped(PageDropReason.BADWORD, cleaned.linesRemoved);
        }
        if (languages != null) {
            String reason = languageProblem(cleaned.text);
            if (reason != null) {
                return PageVerdict.dropped(reason, cleaned.linesRemoved);
            }
        }
        return cleaned;
    }

    /** C4's order: no prediction, then too low a probability, then another language. */
    private String languageProblem(String text) {
        LanguageIdentifier.Guess guess = languages.identify(text);
        if (guess == null) {
            return PageDropReason.LANGUAGE_UNDETECTED;
        }
        if (guess.probability < rules.minLanguageProbability) {
            return PageDropReason.LANGUAGE_LOW_CONFIDENCE;
        }
        if (!guess.language.equals(rules.languageCode)) {
            return PageDropReason.WRONG_LANGUAGE;
        }
        return null;
    }

    /** The cleaner, for the sentence minimum after line deduplication. */
    public C4PageCleaner cleaner() {
        return cleaner;
    }
}
