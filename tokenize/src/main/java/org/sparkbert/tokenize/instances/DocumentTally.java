package org.sparkbert.tokenize.instances;

import java.io.Serializable;

/**
 * Counts over the encoded documents, merged across partitions for the report. A document without an
 * id or without text is counted and left out; one of a single sentence is counted and gives no
 * sentence pair (it can still supply the random next sentence of another document's pair).
 */
public final class DocumentTally implements Serializable {
    long documents;
    long withoutId;
    long withoutText;
    long oneSentence;
    long sentences;
    long tokens;

    public DocumentTally add(TokenizedDocument doc) {
        documents++;
        if (doc.docId() == null) {
            withoutId++;
            return this;
        }
        if (doc.sentenceCount() == 0) {
            withoutText++;
        } else if (doc.sentenceCount() == 1) {
            oneSentence++;
        }
        sentences += doc.sentenceCount();
        tokens += doc.tokenCount();
        return this;
    }

    public DocumentTally merge(DocumentTally other) {
        documents += other.documents;
        withoutId += other.withoutId;
        withoutText += other.withoutText;
        oneSentence += other.oneSentence;
        sentences += other.sentences;
        tokens += other.tokens;
        return this;
    }
}
