package org.sparkbert.ingest.read;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;
import org.apache.hadoop.conf.Configuration;
import org.apache.hadoop.fs.FSDataInputStream;
import org.apache.hadoop.fs.Path;

/** SHA-256 of a file's bytes as stored (compressed files are hashed compressed): its identity in manifests. */
public final class FileChecksum {
    private FileChecksum() {}

    public static String sha256(String path, Configuration conf) {
        try {
            Path p = new Path(path);
            MessageDigest sha = MessageDigest.getInstance("SHA-256");
            byte[] buffer = new byte[1 << 16];
            try (FSDataInputStream in = p.getFileSystem(conf).open(p)) {
                for (int n = in.read(buffer); n >= 0; n = in.read(buffer)) {
                    sha.update(buffer, 0, n);
                }
            }
            return HexFormat.of().formatHex(sha.digest());
        } catch (IOException e) {
            throw new UncheckedIOException("Cannot read input file " + path + " to checksum it", e);
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }
}
