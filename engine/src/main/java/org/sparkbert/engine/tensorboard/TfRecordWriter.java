package org.sparkbert.engine.tensorboard;

import java.io.IOException;
import java.io.OutputStream;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.util.zip.CRC32C;

/**
 * TFRecord framing, as TensorFlow's record writer lays each record out: the data's length as a
 * little-endian uint64, the masked CRC32C of those 8 bytes, the data, the masked CRC32C of the data.
 */
public final class TfRecordWriter {
    private static final int MASK_DELTA = 0xa282ead8;

    private final OutputStream out;

    public TfRecordWriter(OutputStream out) {
        this.out = out;
    }

    public void write(byte[] data) throws IOException {
        byte[] length = ByteBuffer.allocate(8)
                .order(ByteOrder.LITTLE_ENDIAN)
                .putLong(data.length)
                .array();
        out.write(length);
        out.write(littleEndian(maskedCrc(length)));
        out.write(data);
        out.write(littleEndian(maskedCrc(data)));
    }

    /** TensorFlow masks the checksum so that a CRC of data that itself holds CRCs stays well distributed. */
    static int maskedCrc(byte[] bytes) {
        CRC32C crc = new CRC32C();
        crc.update(bytes);
        int c = (int) crc.getValue();
        return ((c >>> 15) | (c << 17)) + MASK_DELTA;
    }

    private static byte[] littleEndian(int value) {
        return ByteBuffer.allocate(4)
                .order(ByteOrder.LITTLE_ENDIAN)
                .putInt(value)
                .array();
    }
}
