package org.sparkbert.job;

import java.io.File;
import java.io.IOException;
import java.io.OutputStream;
import java.net.URI;
import java.nio.file.Files;
import java.nio.file.StandardCopyOption;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.Stream;
import org.apache.hadoop.fs.FSDataOutputStream;
import org.apache.hadoop.fs.FileStatus;
import org.apache.hadoop.fs.Path;
import org.apache.hadoop.fs.RawLocalFileSystem;
import org.apache.hadoop.fs.permission.FsPermission;
import org.apache.hadoop.util.Progressable;

/**
 * The local disk under the scheme {@code copyrename:}, renaming as S3A and GCS do: a directory by
 * copying its files one by one and deleting the source afterwards, and never onto an existing path.
 * A test can make the next rename of a matching directory stop after some files and the process
 * "crash": from then on every change to the store fails, as nothing more happens after a real crash,
 * until {@link #recover}.
 */
public class CopyingRenameFileSystem extends RawLocalFileSystem {
    public static final String SCHEME = "copyrename";

    private static volatile String crashOnRenameOf;
    private static volatile int crashAfterFiles;
    private static volatile boolean crashed;

    /** The next rename of a directory whose name contains {@code nameContains} copies {@code files} files, then crashes. */
    static void crashWhenRenaming(String nameContains, int files) {
        crashOnRenameOf = nameContains;
        crashAfterFiles = files;
    }

    static void recover() {
        crashOnRenameOf = null;
        crashed = false;
    }

    static boolean hasCrashed() {
        return crashed;
    }

    @Override
    public URI getUri() {
        return URI.create(SCHEME + ":///");
    }

    @Override
    public String getScheme() {
        return SCHEME;
    }

    // RawLocalFileSystem reads permissions through a file: URI; under this scheme the plain status does without.
    @Override
    public FileStatus getFileStatus(Path f) throws IOException {
        return plain(super.getFileStatus(f));
    }

    @Override
    public FileStatus getFileLinkStatus(Path f) throws IOException {
        return plain(super.getFileLinkStatus(f));
    }

    @Override
    public FileStatus[] listStatus(Path f) throws IOException {
        FileStatus[] statuses = super.listStatus(f);
        for (int i = 0; i < statuses.length; i++) {
            statuses[i] = plain(statuses[i]);
        }
        return statuses;
    }

    private static FileStatus plain(FileStatus s) {
        return new FileStatus(
                s.getLen(),
                s.isDirectory(),
                s.getReplication(),
                s.getBlockSize(),
                s.getModificationTime(),
                s.getPath());
    }

    @Override
    public boolean rename(Path src, Path dst) throws IOException {
        failIfCrashed();
        File from = pathToFile(src);
        File to = pathToFile(dst);
        if (!from.exists() || to.exists()) {
            return false;
        }
        if (from.isFile()) {
            Files.copy(from.toPath(), to.toPath());
            Files.delete(from.toPath());
            return true;
        }
        String match = crashOnRenameOf;
        boolean crashHere = match != null && from.getName().contains(match);
        List<java.nio.file.Path> files = new ArrayList<>();
        try (Stream<java.nio.file.Path> walk = Files.walk(from.toPath())) {
            walk.filter(Files::isRegularFile).sorted().forEach(files::add);
        }
        Files.createDirectories(to.toPath());
        int copied = 0;
        for (java.nio.file.Path file : files) {
            if (crashHere && copied == crashAfterFiles) {
                crashOnRenameOf = null;
                crashed = true;
                throw new IOException("simulated crash while renaming " + src + " after " + copied + " files");
            }
            java.nio.file.Path target = to.toPath().resolve(from.toPath().relativize(file));
            Files.createDirectories(target.getParent());
            Files.copy(file, target, StandardCopyOption.COPY_ATTRIBUTES);
            copied++;
        }
        return super.delete(src, true);
    }

    @Override
    public boolean delete(Path p, boolean recursive) throws IOException {
        failIfCrashed();
        return super.delete(p, recursive);
    }

    @Override
    public boolean mkdirs(Path f) throws IOException {
        failIfCrashed();
        return super.mkdirs(f);
    }

    @Override
    public boolean mkdirs(Path f, FsPermission permission) throws IOException {
        failIfCrashed();
        return super.mkdirs(f, permission);
    }

    @Override
    public FSDataOutputStream append(Path f, int bufferSize, Progressable progress) throws IOException {
        failIfCrashed();
        return super.append(f, bufferSize, progress);
    }

    @Override
    protected OutputStream createOutputStream(Path f, boolean append) throws IOException {
        failIfCrashed();
        return super.createOutputStream(f, append);
    }

    @Override
    protected OutputStream createOutputStreamWithMode(Path f, boolean append, FsPermission permission)
            throws IOException {
        failIfCrashed();
        return super.createOutputStreamWithMode(f, append, permission);
    }

    private static void failIfCrashed() throws IOException {
        if (crashed) {
            throw new IOException("the process has crashed (simulated)");
        }
    }
}
