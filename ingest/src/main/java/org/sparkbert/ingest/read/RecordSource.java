package org.sparkbert.ingest.read;

import java.io.IOException;

/** The records of one decoded input stream, one at a time. */
interface RecordSource {
    /** The next record, or null at the end of the stream. */
    InputRecord next() throws IOException;

    /** Where the next record would start: a line number or a byte offset, for a reject that ends the file. */
    long position();
}
