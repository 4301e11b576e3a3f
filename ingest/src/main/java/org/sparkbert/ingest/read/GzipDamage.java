package org.sparkbert.ingest.read;

import java.io.IOException;

/**
 * A damaged stretch of a gzip file: where it starts in the compressed file and why it cannot be read.
 * {@link GzipMembers} throws it and then goes on from the next member it finds, so the reader can turn
 * it into one reject and keep reading.
 */
final class GzipDamage extends IOException {
    private static final long serialVersionUID = 1L;

    final long offset;
    final String reason;

    GzipDamage(long offset, String reason, String detail) {
        super("gzip damage at byte " + offset + " of the compressed file (" + reason + "): " + detail);
        this.offset = offset;
        this.reason = reason;
    }
}
