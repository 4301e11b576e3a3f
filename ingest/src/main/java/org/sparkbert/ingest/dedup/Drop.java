package org.sparkbert.ingest.dedup;

import java.io.Serializable;

/**
 * A deduplication step's decision about one page of this run: it goes, why, and the id of the page
 * kept in its place (null where no single page is, as in line deduplication).
 */
public record Drop(long key, String reason, String survivorId) implements Serializable {
    @Override
    public String toString() {
        return key + " " + reason + " " + survivorId;
    }
}
