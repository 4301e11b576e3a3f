package org.sparkbert.tokenize.bench;

import ai.djl.huggingface.tokenizers.Encoding;
import ai.djl.huggingface.tokenizers.HuggingFaceTokenizer;
import java.io.IOException;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.List;
import java.util.concurrent.Callable;
import java.util.concurrent.atomic.AtomicLong;
import java.util.stream.IntStream;
import org.sparkbert.tokenize.IdList;
import org.sparkbert.tokenize.TokenizerJson;
import org.sparkbert.tokenize.Tokenizers;
import org.sparkbert.tokenize.WordPieceTokenizer;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Parameters;

/**
 * WordPiece encoding throughput, ours against Hugging Face tokenizers (Rust, through DJL), on the
 * same documents and the same vocabulary, after checking that the documents get the same ids (see
 * {@link #compare} for the only differences allowed).
 * Hugging Face runs {@code batchEncode} of 256 documents (its own thread pool), then one document at a
 * time; ours runs one thread, then one thread per core over the same batches.
 *
 * <p>Usage: EncodeBenchmark CORPUS.txt VOCAB_DIR WORK_DIR [ROUNDS] (run by {@code scripts/bench/tokenize}). Prints
 * Markdown table rows.
 */
@Command(
        name = "EncodeBenchmark",
        mixinStandardHelpOptions = true,
        description = "WordPiece encoding throughput, ours against Hugging Face tokenizers (DJL); Markdown table rows.")
public final class EncodeBenchmark implements Callable<Integer> {
    private static final int BATCH = 256;

    @Parameters(index = "0", paramLabel = "CORPUS.txt", description = "The documents, one a line.")
    Path corpus;

    @Parameters(index = "1", paramLabel = "VOCAB_DIR", description = "A directory with vocab.txt.")
    String vocabDir;

    @Parameters(index = "2", paramLabel = "WORK_DIR", description = "Where Hugging Face's tokenizer.json is written.")
    Path work;

    @Parameters(
            index = "3",
            arity = "0..1",
            defaultValue = "3",
            paramLabel = "ROUNDS",
            description = "Timed passes per encoder, the best counts. Default: ${DEFAULT-VALUE}.")
    int rounds;

    public static void main(String[] args) {
        System.exit(new CommandLine(new EncodeBenchmark()).execute(args));
    }

    @Override
    public Integer call() throws IOException {
        List<String> docs = Files.readAllLines(corpus, StandardCharsets.UTF_8);
        docs.removeIf(String::isEmpty);
        long bytes = docs.stream()
                .mapToLong(d -> d.getBytes(StandardCharsets.UTF_8).length)
                .sum();
        WordPieceTokenizer ours = (WordPieceTokenizer) Tokenizers.load(vocabDir, null);
        Path json = work.resolve("tokenizer.json");
        try (OutputStream out = Files.newOutputStream(json)) {
            TokenizerJson.writeWordPiece(out, Files.readAllLines(Path.of(vocabDir, "vocab.txt")), ours.lowercase());
        }
        try (HuggingFaceTokenizer theirs = HuggingFaceTokenizer.builder()
                .optTokenizerPath(json)
                .optAddSpecialTokens(false)
                .optPadding(false)
                .optTruncation(false)
                .build()) {
            long[] tokensAndDiffering = compare(ours, theirs, docs);
            System.out.printf(
                    "documents: %d, bytes: %d, tokens: %d, documents with identical ids: %d (the %d others hold"
                            + " private-use or unassigned characters or a Greek final sigma, where Google's tokenization.py"
                            + " and Hugging Face's normaliser disagree)%n",
                    docs.size(),
                    bytes,
                    tokensAndDiffering[0],
                    docs.size() - tokensAndDiffering[1],
                    tokensAndDiffering[1]);
            double hf = best(rounds, () -> huggingFace(theirs, docs));
            double hfSingle = best(rounds, () -> huggingFaceOneByOne(theirs, docs));
            double one = best(rounds, () -> oursOneThread(ours, docs));
            double all = best(rounds, () -> oursParallel(ours, docs));
            System.out.println("| encoder | seconds (best of " + rounds + ") | MB/s | vs Hugging Face |");
            System.out.println("|---|---|---|---|");
            row("Hugging Face tokenizers 0.38.0 (DJL), batchEncode of " + BATCH, hf, bytes, hf);
            row("Hugging Face tokenizers 0.38.0 (DJL), encode one document at a time", hfSingle, bytes, hf);
            row("ours, 1 thread", one, bytes, hf);
            row(
                    "ours, " + Runtime.getRuntime().availableProcessors() + " threads over the same batches",
                    all,
                    bytes,
                    hf);
        }
        return 0;
    }

    private static void row(String name, double seconds, long bytes, double reference) {
        System.out.printf("| %s | %.3f | %.2f | %.2fx |%n", name, seconds, bytes / 1e6 / seconds, reference / seconds);
    }

    /**
     * Encodes every document both ways: returns the tokens and the number of documents whose ids
     * differ. A difference is allowed only where the two references themselves disagree: Google's
     * {@code _is_control} drops Cc and Cf characters where Hugging Face drops every C* category
     * (private use, unassigned, surrogates), and Python's {@code lower()} writes a word-final capital
     * sigma as ς where Hugging Face's per-character lower-casing writes σ. Any other difference stops
     * the benchmark.
     */
    private static long[] compare(WordPieceTokenizer ours, HuggingFaceTokenizer theirs, List<String> docs) {
        long tokens = 0, differing = 0;
        for (int start = 0; start < docs.size(); start += BATCH) {
            List<String> batch = docs.subList(start, Math.min(docs.size(), start + BATCH));
            Encoding[] encodings = theirs.batchEncode(batch, false, false);
            for (int i = 0; i < batch.size(); i++) {
                long[] expected = encodings[i].getIds();
                long[] actual =
                        Arrays.stream(ours.encode(batch.get(i))).asLongStream().toArray();
                tokens += actual.length;
                if (Arrays.equals(expected, actual)) continue;
                if (!referencesDisagreeOn(batch.get(i))) {
                    throw new IllegalStateException("ids differ on document " + (start + i) + ": "
                            + batch.get(i)
                                    .substring(0, Math.min(200, batch.get(i).length())));
                }
                differing++;
            }
        }
        return new long[] {tokens, differing};
    }

    private static boolean referencesDisagreeOn(String text) {
        return text.indexOf('Σ') >= 0
                || text.codePoints().anyMatch(cp -> {
                    int type = Character.getType(cp);
                    return type == Character.PRIVATE_USE || type == Character.UNASSIGNED || type == Character.SURROGATE;
                });
    }

    private static long huggingFace(HuggingFaceTokenizer theirs, List<String> docs) {
        long tokens = 0;
        for (int start = 0; start < docs.size(); start += BATCH) {
            for (Encoding e :
                    theirs.batchEncode(docs.subList(start, Math.min(docs.size(), start + BATCH)), false, false)) {
                tokens += e.getIds().length;
            }
        }
        return tokens;
    }

    private static long huggingFaceOneByOne(HuggingFaceTokenizer theirs, List<String> docs) {
        long tokens = 0;
        for (String doc : docs) tokens += theirs.encode(doc, false, false).getIds().length;
        return tokens;
    }

    private static long oursOneThread(WordPieceTokenizer ours, List<String> docs) {
        IdList ids = new IdList(4096);
        long tokens = 0;
        for (String doc : docs) {
            ids.clear();
            ours.encode(doc, ids);
            tokens += ids.size();
        }
        return tokens;
    }

    private static long oursParallel(WordPieceTokenizer ours, List<String> docs) {
        AtomicLong tokens = new AtomicLong();
        IntStream.range(0, (docs.size() + BATCH - 1) / BATCH).parallel().forEach(b -> {
            IdList ids = new IdList(4096);
            long n = 0;
            for (int i = b * BATCH; i < Math.min(docs.size(), (b + 1) * BATCH); i++) {
                ids.clear();
                ours.encode(docs.get(i), ids);
                n += ids.size();
            }
            tokens.addAndGet(n);
        });
        return tokens.get();
    }

    private interface Run {
        long tokens();
    }

    /** One warm-up pass, then the best of {@code rounds} timed passes. */
    private static double best(int rounds, Run run) {
        run.tokens();
        double best = Double.MAX_VALUE;
        for (int r = 0; r < rounds; r++) {
            long t = System.nanoTime();
            run.tokens();
            best = Math.min(best, (System.nanoTime() - t) / 1e9);
        }
        return best;
    }

    EncodeBenchmark() {}
}
