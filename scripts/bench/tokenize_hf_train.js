// Hugging Face's Rust trainers through the npm package `tokenizers` (prebuilt binary): train a
// WordPiece (BERT normaliser and pre-tokenizer, as bert-base-uncased) or a byte-level BPE (GPT-2's
// pre-tokenizer) on a text file with the model's default trainer (30,000 tokens), and report the
// seconds of Tokenizer.train alone.
//
// Usage: node tokenize_hf_train.js wordpiece|bpe CORPUS.txt OUT_TOKENIZER.json
const tk = require('tokenizers');

const [model, corpus, out] = process.argv.slice(2);
let tokenizer;
if (model === 'wordpiece') {
  tokenizer = new tk.Tokenizer(tk.WordPiece.empty());
  tokenizer.setNormalizer(tk.bertNormalizer({ lowercase: true }));
  tokenizer.setPreTokenizer(tk.bertPreTokenizer());
} else if (model === 'bpe') {
  tokenizer = new tk.Tokenizer(tk.BPE.empty());
  tokenizer.setPreTokenizer(tk.byteLevelPreTokenizer(false, true));
} else {
  throw new Error(`unknown model ${model}: wordpiece or bpe`);
}
const start = process.hrtime.bigint();
tokenizer.train([corpus]);
const seconds = Number(process.hrtime.bigint() - start) / 1e9;
tokenizer.save(out);
console.log(JSON.stringify({ model, train_seconds: seconds, vocab_size: tokenizer.getVocabSize(true) }));
