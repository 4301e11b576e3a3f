package org.sparkbert.ingest.clean;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.sparkbert.job.Settings;

/** Each C4 rule: a page it changes or drops, and a page it keeps. */
class PageFilterTest {
    private static final String S1 = "The quick brown fox jumps over the lazy dog near the river bank.";
    private static final String S2 = "Our small village holds a market on every second Saturday of the month.";
    private static final String S3 = "Most of the visitors arrive early in the morning to find the best bread.";
    private static final String CLEAN = S1 + "\n" + S2 + "\n" + S3;

    private static PageFilter filter(String... overrides) {
        Map<String, String> m = new java.util.HashMap<>();
        for (int i = 0; i < overrides.length; i += 2) {
            m.put(overrides[i], overrides[i + 1]);
        }
        return new PageFilter(new CleaningRules(Settings.load(List.of("ingest.properties"), null, m)));
    }

    private static final PageFilter C4 = filter();

    private static void assertKeptAs(String expected, String page) {
        PageVerdict v = C4.judge(page);
        assertNull(v.reason, "dropped: " + v.reason);
        assertEquals(expected, v.text);
    }

    private static void assertDropped(String reason, String page) {
        assertEquals(reason, C4.judge(page).reason);
    }

    @Test
    void aCleanPageIsKeptUnchanged() {
        assertKeptAs(CLEAN, CLEAN);
        assertKeptAs(CLEAN, "  " + S1 + "  \r\n\n" + S2 + "\u00A0\n" + S3 + "\n");
    }

    @Test
    void linesWithAWordOverAThousandCharactersGo() {
        String longWord = "a".repeat(1001);
        PageVerdict v = C4.judge(CLEAN + "\nThis line has a word " + longWord + " in it.");
        assertEquals(CLEAN, v.text);
        assertEquals(1, v.linesRemoved[LineRule.TOO_LONG_WORD.ordinal()]);
        // A thousand a's look like no language at all: the kept case runs without language identification.
        String justShort = "This line has a word " + "a".repeat(1000) + " in it.";
        PageVerdict kept = filter("ingest.rule.language.enabled", "false").judge(CLEAN + "\n" + justShort);
        assertEquals(CLEAN + "\n" + justShort, kept.text);
    }

    @Test
    void citationsAreCut() {
        assertKeptAs(
                CLEAN + "\nThe treaty was signed in the spring of that year.",
                CLEAN + "\nThe treaty was signed in the spring[1] of that year[edit].[citation needed]");
        assertKeptAs(
                CLEAN + "\nArrays are written as [a, b] in the notation of this book.",
                CLEAN + "\nArrays are written as [a, b] in the notation of this book.");
    }

    @Test
    void linesWithoutTerminalPunctuationOrEndingInAnEllipsisGo() {
        PageVerdict v = C4.judge(CLEAN + "\nHome About Contact Shop Blog News\nAnd then there was more to say...");
        assertEquals(CLEAN, v.text);
        assertEquals(2, v.linesRemoved[LineRule.NO_TERMINAL_PUNCTUATION.ordinal()]);
        String quoted = "She said that it was \"the best bread in town.\"";
        assertKeptAs(
                CLEAN + "\n" + quoted + "\nIs that really the best one in town?\nYes it is, without any doubt!",
                CLEAN + "\n" + quoted + "\nIs that really the best one in town?\nYes it is, without any doubt!");
    }

    @Test
    void linesWithFewerThanFiveWordsGo() {
        PageVerdict v = C4.judge(CLEAN + "\nOnly four words here.");
        assertEquals(CLEAN, v.text);
        assertEquals(1, v.linesRemoved[LineRule.TOO_FEW_WORDS.ordinal()]);
        assertKeptAs(CLEAN + "\nExactly five words are here.", CLEAN + "\nExactly five words are here.");
    }

    @Test
    void loremIpsumDropsThePageOnlyOnALineThatWouldStay() {
        assertDropped("lorem_ipsum", CLEAN + "\nLorem ipsum dolor sit amet, consectetur adipiscing elit.");
        // A heading without an end mark is removed before the lorem ipsum check, as in C4.
        assertKeptAs(CLEAN, CLEAN + "\nLorem ipsum dolor sit amet");
    }

    @Test
    void javascriptLinesGo() {
        PageVerdict v = C4.judge(CLEAN + "\nPlease enable JavaScript to view the comments on this page.");
        assertEquals(CLEAN, v.text);
        assertEquals(1, v.linesRemoved[LineRule.JAVASCRIPT.ordinal()]);
    }

    @Test
    void aCurlyBracketDropsThePage() {
        assertDropped("curly_bracket", CLEAN + "\nThe function body is written as { return x; } in the code.");
        assertKeptAs(
                CLEAN + "\nThe function body is written in parentheses (like this) here.",
                CLEAN + "\nThe function body is written in parentheses (like this) here.");
    }

    @Test
    void policyLinesGo() {
        PageVerdict v = C4.judge(CLEAN + "\nBy using this site you agree to our Terms of Use and our rules."
                + "\nThis website uses cookies to improve your experience with us.");
        assertEquals(CLEAN, v.text);
        assertEquals(2, v.linesRemoved[LineRule.POLICY.ordinal()]);
    }

    @Test
    void fewerThanThreeSentencesDropThePage() {
        assertDropped("too_few_sentences", S1 + "\n" + S2);
        assertKeptAs(S1 + " " + S2 + " " + S3, S1 + " " + S2 + " " + S3);
    }

    @Test
    void pagesOverTheLengthLimitAreDropped() {
        String line = S1 + "\n";
        String page = line.repeat(190_000 / line.length() + 1);
        assertTrue(page.length() > 190_000);
        assertDropped("page_too_long", page);
        String under = line.repeat(190_000 / line.length());
        assertNull(C4.judge(under).reason);
    }

    @Test
    void badWordsDropThePageOnlyAsWholeWords() {
        assertDropped("badword", CLEAN + "\nThe film was rated for its nudity and its violence.");
        // "Essex" holds a listed word, but not on its own.
        assertKeptAs(
                CLEAN + "\nThe county of Essex lies to the east of London.",
                CLEAN + "\nThe county of Essex lies to the east of London.");
    }

    @Test
    void pagesNotInEnglishAreDropped() {
        String german = "Der schnelle braune Fuchs springt heute über den faulen Hund am Fluss.\n"
                + "Unser kleines Dorf hält jeden zweiten Samstag im Monat einen großen Markt ab.\n"
                + "Die meisten Besucher kommen schon früh am Morgen, um das beste Brot zu finden.";
        assertDropped("wrong_language", german);
        assertKeptAs(CLEAN, CLEAN);
    }

    @Test
    void thePaperVariantIsASetting() {
        PageFilter paper = filter("ingest.rule.min_sentences.count", "5", "ingest.rule.min_words_per_line.count", "3");
        assertEquals("too_few_sentences", paper.judge(CLEAN).reason);
        String five = CLEAN + "\nShort but fine.\nIt has five sentences now.";
        assertEquals(five, paper.judge(five).text);
    }

    @Test
    void everyRuleCanBeSwitchedOff() {
        PageFilter off = filter(
                "ingest.rule.curly_bracket.enabled",
                "false",
                "ingest.rule.language.enabled",
                "false",
                "ingest.rule.min_sentences.enabled",
                "false",
                "ingest.rule.terminal_punctuation.enabled",
                "false");
        String page = "No end mark on this line at all\nThe body is { return x; } in the code.";
        assertEquals(page, off.judge(page).text);
    }
}
