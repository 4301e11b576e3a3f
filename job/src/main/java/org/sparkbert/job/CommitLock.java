package org.sparkbert.job;

import java.io.FileNotFoundException;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import org.apache.hadoop.fs.FSDataInputStream;
import org.apache.hadoop.fs.FSDataOutputStream;
import org.apache.hadoop.fs.FileAlreadyExistsException;
import org.apache.hadoop.fs.FileSystem;
import org.apache.hadoop.fs.LocalFileSystem;
import org.apache.hadoop.fs.Path;
import org.apache.hadoop.fs.RawLocalFileSystem;

/**
 * The file that one run of an output holds while it moves its work into place, naming the run. Runs
 * of the same output commit one after another under it, and a lock left behind tells the next run
 * that the output path may hold a half-moved directory to undo. Taking it relies on the store
 * creating a file only if absent: atomic on HDFS, GCS and ABFS; Hadoop's local file system checks
 * then creates, so for it the JDK's exclusive create is used instead.
 */
final class CommitLock {
    private final FileSystem fs;
    private final Path file;

    CommitLock(FileSystem fs, Path file) {
        this.fs = fs;
        this.file = file;
    }

    Path file() {
        return file;
    }

    /** Takes the lock for {@code owner}; false when another run holds it. */
    boolean tryTake(String owner) throws IOException {
        byte[] content = owner.getBytes(StandardCharsets.UTF_8);
        FileSystem raw = fs instanceof LocalFileSystem local ? local.getRawFileSystem() : fs;
        if (raw instanceof RawLocalFileSystem local) {
            try {
                Files.write(Files.createFile(local.pathToFile(file).toPath()), content);
                return true;
            } catch (java.nio.file.FileAlreadyExistsException e) {
                return false;
            }
        }
        try (FSDataOutputStream out = fs.create(file, false)) {
            out.write(content);
            return true;
        } catch (FileAlreadyExistsException e) {
            return false;
        }
    }

    /** The run that holds the lock, or null when nobody does. */
    String owner() throws IOException {
        try (FSDataInputStream in = fs.open(file)) {
            return new String(in.readAllBytes(), StandardCharsets.UTF_8).trim();
        } catch (FileNotFoundException e) {
            return null;
        }
    }

    /** Gives the lock up, if {@code owner} still holds it. */
    void release(String owner) throws IOException {
        if (owner.equals(owner())) {
            fs.delete(file, false);
        }
    }
}
