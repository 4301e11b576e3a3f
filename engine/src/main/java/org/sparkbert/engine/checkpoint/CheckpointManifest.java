package org.sparkbert.engine.checkpoint;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.security.DigestOutputStream;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import org.apache.hadoop.fs.FileStatus;
import org.apache.hadoop.fs.FileSystem;
import org.apache.hadoop.fs.Path;

/**
 * The SHA-256 of every file of a checkpoint, in {@code sha256sum} format ("HEX  NAME" per line,
 * sorted by name), so that {@code sha256sum -c manifest.sha256} checks a copy by hand. Written
 * last: a directory without it, or whose files disagree with it, is not a checkpoint.
 */
public final class CheckpointManifest {

    public static final String NAME = "manifest.sha256";

    private final Map<String, String> digests = new TreeMap<>();

    /** Wraps {@code out} so that what goes through it is recorded under {@code name} on close. */
    public OutputStream recording(String name, OutputStream out) {
        MessageDigest digest = sha256();
        return new DigestOutputStream(out, digest) {
            @Override
            public void close() throws IOException {
                super.close();
                digests.put(name, HexFormat.of().formatHex(digest.digest()));
            }
        };
    }

    public Map<String, String> digests() {
        return Map.copyOf(digests);
    }

    public byte[] toBytes() {
        StringBuilder text = new StringBuilder();
        digests.forEach(
                (name, hex) -> text.append(hex).append("  ").append(name).append('\n'));
        return text.toString().getBytes(StandardCharsets.UTF_8);
    }

    /**
     * What a check found: the listed files with their (verified) SHA-256, and the files beside them
     * that the manifest does not list, sorted by name. Unlisted files were not checked and are not
     * part of the checkpoint (a folder counts as listed when files in it are, such as ELECTRA's
     * generator/): a person may add a README.md or a model card to a directory before
     * publishing it, and that must not make the checkpoint unreadable.
     */
    public record Verification(Map<String, String> digests, List<String> unlisted) {}

    /**
     * Checks a checkpoint directory against its manifest: every listed file present with the listed
     * SHA-256. Files it does not list (hidden files such as Hadoop's .crc companions aside) are
     * returned, not refused. Throws an IOException that names the directory and the first problem.
     */
    public static Verification verify(FileSystem fs, Path dir) throws IOException {
        Path manifestPath = new Path(dir, NAME);
        if (!fs.exists(manifestPath)) {
            throw new IOException(dir + ": no " + NAME + " (an incomplete checkpoint)");
        }
        Map<String, String> listed = parse(readAll(fs, manifestPath), manifestPath);
        List<String> unlisted = new ArrayList<>();
        for (FileStatus status : fs.listStatus(dir)) {
            String name = status.getPath().getName();
            boolean folderOfListed = listed.keySet().stream().anyMatch(k -> k.startsWith(name + "/"));
            if (!name.equals(NAME) && !name.startsWith(".") && !listed.containsKey(name) && !folderOfListed) {
                unlisted.add(name);
            }
        }
        unlisted.sort(null);
        for (Map.Entry<String, String> e : listed.entrySet()) {
            Path file = new Path(dir, e.getKey());
            if (!fs.exists(file)) {
                throw new IOException(dir + ": " + e.getKey() + " is listed in " + NAME + " but missing");
            }
            String actual = sha256Of(fs, file);
            if (!actual.equals(e.getValue())) {
                throw new IOException(
                        dir + ": " + e.getKey() + " has SHA-256 " + actual + ", the manifest says " + e.getValue());
            }
        }
        return new Verification(Map.copyOf(listed), List.copyOf(unlisted));
    }

    private static Map<String, String> parse(byte[] bytes, Path source) throws IOException {
        Map<String, String> listed = new TreeMap<>();
        String[] lines = new String(bytes, StandardCharsets.UTF_8).split("\n");
        for (int i = 0; i < lines.length; i++) {
            if (lines[i].isEmpty()) {
                continue;
            }
            String[] parts = lines[i].split(" {2}", 2);
            if (parts.length != 2 || !parts[0].matches("[0-9a-f]{64}")) {
                throw new IOException(
                        source + " line " + (i + 1) + ": expected 'SHA256HEX  NAME', got '" + lines[i] + "'");
            }
            listed.put(parts[1], parts[0]);
        }
        return listed;
    }

    private static String sha256Of(FileSystem fs, Path file) throws IOException {
        MessageDigest digest = sha256();
        byte[] buffer = new byte[1 << 16];
        try (InputStream in = fs.open(file)) {
            for (int n; (n = in.read(buffer)) > 0; ) {
                digest.update(buffer, 0, n);
            }
        }
        return HexFormat.of().formatHex(digest.digest());
    }

    private static byte[] readAll(FileSystem fs, Path file) throws IOException {
        try (InputStream in = fs.open(file);
                ByteArrayOutputStream out = new ByteArrayOutputStream()) {
            in.transferTo(out);
            return out.toByteArray();
        }
    }

    private static MessageDigest sha256() {
        try {
            return MessageDigest.getInstance("SHA-256");
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("every Java platform has SHA-256", e);
        }
    }
}
