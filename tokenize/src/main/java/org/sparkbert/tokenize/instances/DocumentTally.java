package org.sparkbert.tokenize.instances;

import java.io.Serializable;

/** Counts over the encoded documents, merged across partitions for the report. */
public final class DocumentTally implements Serializable {
    long documents;
    long withoutText;
    long oneSentence;
    long sentences;
    long tokens;

    public DocumentTally add(TokenizedDocument doc) {
        documents++;
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
        withoutText += other.withoutText;
        oneSentence += other.oneSentence;
        sentences += other.sentences;
        tokens += other.tokens;
        return this;
    }
}
