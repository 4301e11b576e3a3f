package org.sparkbert.ingest.clean;

import java.io.Serializable;
import org.sparkbert.job.Settings;

/** Which page rules run and their thresholds, read once from the {@code ingest.rule.*} settings. */
public final class CleaningRules implements Serializable {
    private static final long serialVersionUID = 1L;

    final boolean maxPageLength;
    final int maxPageChars;
    final boolean maxWordLength;
    final int maxWordChars;
    final boolean citations;
    final boolean terminalPunctuation;
    final boolean minWordsPerLine;
    final int minWords;
    final boolean loremIpsum;
    final boolean javascript;
    final boolean curlyBracket;
    final boolean policy;
    final boolean minSentences;
    final int minSentenceCount;
    final boolean badwords;
    final boolean language;
    final String languageCode;
    final double minLanguageProbability;
    final int languageSampleChars;

    public CleaningRules(Settings s) {
        maxPageLength = s.flag("ingest.rule.max_page_length.enabled");
        maxPageChars = s.integer("ingest.rule.max_page_length.chars");
        maxWordLength = s.flag("ingest.rule.max_word_length.enabled");
        maxWordChars = s.integer("ingest.rule.max_word_length.chars");
        citations = s.flag("ingest.rule.citations.enabled");
        terminalPunctuation = s.flag("ingest.rule.terminal_punctuation.enabled");
        minWordsPerLine = s.flag("ingest.rule.min_words_per_line.enabled");
        minWords = s.integer("ingest.rule.min_words_per_line.count");
        loremIpsum = s.flag("ingest.rule.lorem_ipsum.enabled");
        javascript = s.flag("ingest.rule.javascript.enabled");
        curlyBracket = s.flag("ingest.rule.curly_bracket.enabled");
        policy = s.flag("ingest.rule.policy.enabled");
        minSentences = s.flag("ingest.rule.min_sentences.enabled");
        minSentenceCount = s.integer("ingest.rule.min_sentences.count");
        badwords = s.flag("ingest.rule.badwords.enabled");
        language = s.flag("ingest.rule.language.enabled");
        languageCode = s.string("ingest.rule.language.code");
        minLanguageProbability = s.number("ingest.rule.language.min_probability");
        languageSampleChars = s.integer("ingest.rule.language.sample_chars");
    }

    /** The sentence minimum that applies after line deduplication; 0 when the rule is off. */
    public int sentenceMinimum() {
        return minSentences ? minSentenceCount : 0;
    }
}
