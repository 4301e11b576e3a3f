package org.sparkbert.tokenize;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStream;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.Iterator;
import java.util.List;
import java.util.Map;

/**
 * Reads and checks the three vocabulary formats of the ecosystem: WordPiece {@code vocab.txt} (one
 * token per line, id = line number), byte-level BPE {@code vocab.json} ({token: id}) and
 * {@code merges.txt} ({@code #version: 0.2}, then one {@code left right} merge per line in rank
 * order). A damaged file is refused with the line and the problem, never half-loaded.
 */
public final class VocabularyFiles {
    public static final List<String> WORDPIECE_SPECIALS = List.of("[PAD]", "[UNK]", "[CLS]", "[SEP]", "[MASK]");
    public static final List<String> BPE_SPECIALS = List.of("<s>", "<pad>", "</s>", "<unk>", "<mask>");
    public static final String MERGES_HEADER = "#version: 0.2";

    private VocabularyFiles() {}

    /** The tokens of a vocab.txt in id order; requires unique tokens and BERT's five special tokens. */
    public static List<String> readVocabTxt(InputStream in, String name) throws IOException {
        List<String> tokens = new ArrayList<>();
        Map<String, Integer> firstLine = new HashMap<>();
        try (BufferedReader reader = new BufferedReader(new InputStreamReader(in, StandardCharsets.UTF_8))) {
            String line;
            while ((line = reader.readLine()) != null) {
                int lineNumber = tokens.size() + 1;
                if (line.isEmpty()) {
                    throw new VocabularyFormatException(name + " line " + lineNumber
                            + " is empty; a vocab.txt holds one token per line with no blank lines.");
                }
                if (hasWhitespace(line)) {
                    throw new VocabularyFormatException(name + " line " + lineNumber + " ('" + line
                            + "') holds whitespace; a vocab.txt holds one bare token per line (not 'token count').");
                }
                Integer earlier = firstLine.putIfAbsent(line, lineNumber);
                if (earlier != null) {
                    throw new VocabularyFormatException(name + " line " + lineNumber + " repeats the token '" + line
                            + "' of line " + earlier + "; every token must appear once.");
                }
                tokens.add(line);
            }
        }
        if (tokens.isEmpty()) throw new VocabularyFormatException(name + " is empty.");
        for (String special : WORDPIECE_SPECIALS) {
            if (!firstLine.containsKey(special)) {
                throw new VocabularyFormatException(name + " has no " + special
                        + " token; a WordPiece vocabulary needs " + String.join(" ", WORDPIECE_SPECIALS) + ".");
            }
        }
        return tokens;
    }

    /** The tokens of a vocab.json in id order; the ids must be exactly 0..n-1, each once. */
    public static List<String> readVocabJson(InputStream in, String name) throws IOException {
        JsonNode root;
        try {
            root = new ObjectMapper().readTree(in);
        } catch (IOException e) {
            throw new VocabularyFormatException(name + " is not valid JSON: " + e.getMessage());
        }
        if (root == null || !root.isObject() || root.isEmpty()) {
            throw new VocabularyFormatException(name + " must be a non-empty JSON object {\"token\": id, ...}.");
        }
        String[] byId = new String[root.size()];
        Iterator<Map.Entry<String, JsonNode>> fields = root.fields();
        while (fields.hasNext()) {
            Map.Entry<String, JsonNode> field = fields.next();
            JsonNode id = field.getValue();
            if (!id.isInt() || id.intValue() < 0 || id.intValue() >= byId.length) {
                throw new VocabularyFormatException(name + ": token '" + field.getKey() + "' has id " + id
                        + "; ids must be the integers 0.." + (byId.length - 1) + ".");
            }
            if (byId[id.intValue()] != null) {
                throw new VocabularyFormatException(name + ": tokens '" + byId[id.intValue()] + "' and '"
                        + field.getKey() + "' share the id " + id.intValue() + "; every id must appear once.");
            }
            byId[id.intValue()] = field.getKey();
        }
        return Arrays.asList(byId);
    }

    /** The merges of a merges.txt in rank order, each as its two tokens. */
    public static List<String[]> readMerges(InputStream in, String name) throws IOException {
        List<String[]> merges = new ArrayList<>();
        Map<String, Integer> seen = new HashMap<>();
        try (BufferedReader reader = new BufferedReader(new InputStreamReader(in, StandardCharsets.UTF_8))) {
            String line;
            int lineNumber = 0;
            while ((line = reader.readLine()) != null) {
                lineNumber++;
                if (lineNumber == 1 && line.startsWith("#version")) continue;
                int space = line.indexOf(' ');
                if (space <= 0 || space == line.length() - 1 || line.indexOf(' ', space + 1) >= 0) {
                    throw new VocabularyFormatException(name + " line " + lineNumber + " ('" + line
                            + "') is not a merge; every line after '" + MERGES_HEADER + "' is 'left right'.");
                }
                Integer earlier = seen.putIfAbsent(line, lineNumber);
                if (earlier != null) {
                    throw new VocabularyFormatException(
                            name + " line " + lineNumber + " repeats the merge of line " + earlier + ".");
                }
                merges.add(new String[] {line.substring(0, space), line.substring(space + 1)});
            }
        }
        return merges;
    }

    private static boolean hasWhitespace(String token) {
        for (int i = 0; i < token.length(); i++) {
            if (Character.isWhitespace(token.charAt(i)) || Character.isSpaceChar(token.charAt(i))) return true;
        }
        return false;
    }
}
