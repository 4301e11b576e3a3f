package org.sparkbert.ingest.read;

import java.io.IOException;
import java.io.InputStream;
import java.util.zip.CRC32;
import java.util.zip.DataFormatException;
import java.util.zip.Inflater;

/**
 * The decompressed bytes of a gzip file read member by member (RFC 1952), as Common Crawl writes WET
 * files: one member per record, concatenated. Java's {@code GZIPInputStream} ends silently when a later
 * member's header is damaged or other bytes follow the last member, losing every record after it; this
 * stream instead throws a {@link GzipDamage} for each damaged stretch (bad member header, corrupt
 * compressed data, CRC or length mismatch, bytes that are not a member, truncation) and then goes on
 * from the next member header it finds. A member's bytes are handed out before its trailer is checked
 * (a member may be gigabytes), so a CRC mismatch is reported after the records it covered.
 */
final class GzipMembers extends InputStream {
    /** Longest file name or comment a member header may carry; more is a damaged header, not a name. */
    private static final int MAX_HEADER_FIELD = 64 * 1024;

    private static final int FHCRC = 2;
    private static final int FEXTRA = 4;
    private static final int FNAME = 8;
    private static final int FCOMMENT = 16;
    private static final int RESERVED_FLAGS = 0xE0;

    private enum State {
        HEADER,
        BODY,
        RESYNC,
        END
    }

    private final InputStream in;
    private final byte[] buf = new byte[1 << 16];
    private int pos;
    private int limit;
    /** Offset in the compressed file of {@code buf[0]}. */
    private long bufStart;

    private final Inflater inflater = new Inflater(true);
    private final CRC32 crc = new CRC32();
    private State state = State.HEADER;
    private long memberStart;
    private long memberBytes;
    private int members;

    GzipMembers(InputStream in) {
        this.in = in;
    }

    @Override
    public int read() throws IOException {
        byte[] one = new byte[1];
        int n = read(one, 0, 1);
        return n < 0 ? -1 : one[0] & 0xff;
    }

    @Override
    public int read(byte[] b, int off, int len) throws IOException {
        if (len == 0) {
            return 0;
        }
        while (true) {
            switch (state) {
                case END:
                    return -1;
                case RESYNC:
                    state = seekMagic() ? State.HEADER : State.END;
                    break;
                case HEADER:
                    if (!ensure(1)) {
                        state = State.END;
                        return -1;
                    }
                    readHeader();
                    state = State.BODY;
                    break;
                default:
                    int n = inflate(b, off, len);
                    if (n > 0) {
                        return n;
                    }
                    checkTrailer();
                    state = State.HEADER;
            }
        }
    }

    private void readHeader() throws IOException {
        memberStart = offset();
        crc.reset();
        if (!ensure(10)) {
            boolean magic = limit - pos < 2 || isMagic(pos);
            if (magic) {
                throw damage(State.END, RejectReason.TRUNCATED_GZIP, "the file ends inside a member header");
            }
            pos++;
            throw damage(
                    State.RESYNC,
                    RejectReason.GZIP_TRAILING_GARBAGE,
                    "bytes that are not a gzip member follow the compressed data");
        }
        if (!isMagic(pos)) {
            pos++;
            throw damage(
                    State.RESYNC,
                    RejectReason.GZIP_TRAILING_GARBAGE,
                    "bytes that are not a gzip member follow the compressed data");
        }
        int method = buf[pos + 2] & 0xff;
        int flags = buf[pos + 3] & 0xff;
        if (method != 8 || (flags & RESERVED_FLAGS) != 0) {
            pos++;
            throw damage(
                    State.RESYNC,
                    RejectReason.GZIP_BAD_HEADER,
                    "member header with compression method " + method + " and flags " + flags
                            + " (only deflate, 8, and no reserved flags are gzip)");
        }
        crc.update(buf, pos, 10);
        pos += 10;
        if ((flags & FEXTRA) != 0) {
            int length = headerByte() | headerByte() << 8;
            for (int i = 0; i < length; i++) {
                headerByte();
            }
        }
        if ((flags & FNAME) != 0) {
            skipZeroTerminated("file name");
        }
        if ((flags & FCOMMENT) != 0) {
            skipZeroTerminated("comment");
        }
        if ((flags & FHCRC) != 0) {
            int expected = (int) (crc.getValue() & 0xffff);
            int stored = headerByte() | headerByte() << 8;
            if (stored != expected) {
                throw damage(State.RESYNC, RejectReason.GZIP_BAD_HEADER, "member header checksum mismatch");
            }
        }
        crc.reset();
        inflater.reset();
        memberBytes = 0;
        members++;
    }

    private void skipZeroTerminated(String what) throws IOException {
        for (int i = 0; headerByte() != 0; i++) {
            if (i > MAX_HEADER_FIELD) {
                throw damage(
                        State.RESYNC, RejectReason.GZIP_BAD_HEADER, "member header " + what + " is not terminated");
            }
        }
    }

    /** The next header byte, counted into the header checksum. */
    private int headerByte() throws IOException {
        if (!ensure(1)) {
            throw damage(State.END, RejectReason.TRUNCATED_GZIP, "the file ends inside a member header");
        }
        int b = buf[pos++] & 0xff;
        crc.update(b);
        return b;
    }

    private int inflate(byte[] b, int off, int len) throws IOException {
        while (true) {
            if (inflater.needsInput()) {
                if (pos == limit && !fill()) {
                    throw damage(
                            State.END,
                            RejectReason.TRUNCATED_GZIP,
                            "the file ends inside member " + members + "'s compressed data");
                }
                inflater.setInput(buf, pos, limit - pos);
            }
            int n;
            try {
                n = inflater.inflate(b, off, len);
            } catch (DataFormatException e) {
                pos = limit - inflater.getRemaining();
                throw damage(
                        State.RESYNC, RejectReason.CORRUPT_GZIP, "corrupt compressed data (" + e.getMessage() + ")");
            }
            pos = limit - inflater.getRemaining();
            if (n > 0) {
                crc.update(b, off, n);
                memberBytes += n;
                return n;
            }
            if (inflater.finished()) {
                return 0;
            }
            if (inflater.needsDictionary()) {
                throw damage(State.RESYNC, RejectReason.CORRUPT_GZIP, "compressed data asks for a preset dictionary");
            }
        }
    }

    private void checkTrailer() throws IOException {
        long trailerAt = offset();
        if (!ensure(8)) {
            throw damage(
                    State.END, RejectReason.TRUNCATED_GZIP, "the file ends inside member " + members + "'s trailer");
        }
        long storedCrc = littleEndianInt(pos);
        long storedSize = littleEndianInt(pos + 4);
        pos += 8;
        if (storedSize != (memberBytes & 0xffffffffL)) {
            throw damage(
                    State.HEADER,
                    RejectReason.GZIP_LENGTH_MISMATCH,
                    "the trailer at byte " + trailerAt + " says " + storedSize
                            + " bytes (mod 2^32), the member decompressed to " + memberBytes);
        }
        if (storedCrc != crc.getValue()) {
            throw damage(
                    State.HEADER,
                    RejectReason.GZIP_CRC_MISMATCH,
                    "the trailer at byte " + trailerAt + " says CRC-32 " + Long.toHexString(storedCrc)
                            + ", the data has " + Long.toHexString(crc.getValue()));
        }
    }

    /** Skips to the next {@code 1f 8b 08} (a deflate member's magic); false when the file ends first. */
    private boolean seekMagic() throws IOException {
        while (true) {
            for (int i = pos; i + 2 < limit; i++) {
                if (isMagic(i) && buf[i + 2] == 8) {
                    pos = i;
                    return true;
                }
            }
            pos = Math.max(pos, limit - 2);
            if (!fill()) {
                pos = limit;
                return false;
            }
        }
    }

    private GzipDamage damage(State next, String reason, String detail) {
        state = next;
        return new GzipDamage(memberStart, reason, detail);
    }

    private boolean isMagic(int i) {
        return (buf[i] & 0xff) == 0x1f && (buf[i + 1] & 0xff) == 0x8b;
    }

    private long littleEndianInt(int i) {
        return (buf[i] & 0xffL) | (buf[i + 1] & 0xffL) << 8 | (buf[i + 2] & 0xffL) << 16 | (buf[i + 3] & 0xffL) << 24;
    }

    private long offset() {
        return bufStart + pos;
    }

    private boolean ensure(int n) throws IOException {
        while (limit - pos < n) {
            if (!fill()) {
                return false;
            }
        }
        return true;
    }

    /** Keeps the unread bytes and reads more after them; false at the end of the file. */
    private boolean fill() throws IOException {
        if (pos > 0) {
            System.arraycopy(buf, pos, buf, 0, limit - pos);
            bufStart += pos;
            limit -= pos;
            pos = 0;
        }
        int r = in.read(buf, limit, buf.length - limit);
        while (r == 0) {
            r = in.read(buf, limit, buf.length - limit);
        }
        if (r < 0) {
            return false;
        }
        limit += r;
        return true;
    }

    @Override
    public void close() throws IOException {
        inflater.end();
        in.close();
    }
}
