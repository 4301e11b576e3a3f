package org.sparkbert.engine.tensorboard;

import java.io.IOException;
import java.net.InetAddress;
import java.util.Map;
import org.apache.hadoop.fs.ChecksumFileSystem;
import org.apache.hadoop.fs.FSDataOutputStream;
import org.apache.hadoop.fs.FileSystem;
import org.apache.hadoop.fs.Path;
import org.tensorflow.proto.Event;
import org.tensorflow.proto.SessionLog;
import org.tensorflow.proto.Summary;

/**
 * One TensorBoard event file, {@code events.out.tfevents.<seconds>.<host>.<pid>}, on any Hadoop
 * FileSystem: TFRecord-framed {@link Event} protos (TensorFlow's own generated classes), flushed
 * after each event so that TensorBoard follows the run as it trains.
 *
 * <p>Every file opens with the format version and a {@code SessionLog START} at the step the run
 * starts from: TensorBoard then drops whatever earlier files hold for later steps, which a run
 * that crashed after its last checkpoint had logged and will log again.
 */
public final class EventFile implements AutoCloseable {
    public static final String PREFIX = "events.out.tfevents.";

    private final Path path;
    private final FSDataOutputStream out;
    private final TfRecordWriter records;

    private EventFile(Path path, FSDataOutputStream out) {
        this.path = path;
        this.out = out;
        this.records = new TfRecordWriter(out);
    }

    /** A new event file in dir (created if missing) for a run that starts after step {@code startStep}. */
    public static EventFile create(FileSystem fileSystem, Path dir, long startStep) throws IOException {
        // TensorBoard reads every file whose name holds "tfevents": a checksum file beside it
        // (.events.out.tfevents.*.crc, as Hadoop's local file system writes) would be read as a broken event file.
        FileSystem fs =
                fileSystem instanceof ChecksumFileSystem checksummed ? checksummed.getRawFileSystem() : fileSystem;
        long now = System.currentTimeMillis();
        Path path = new Path(
                dir,
                PREFIX + now / 1000 + "." + host() + "."
                        + ProcessHandle.current().pid());
        for (int n = 1; fs.exists(path); n++) { // a second file of this process within the same second
            path = new Path(
                    dir,
                    PREFIX + now / 1000 + "." + host() + "."
                            + ProcessHandle.current().pid() + "." + n);
        }
        EventFile file = new EventFile(path, fs.create(path, false));
        file.write(Event.newBuilder()
                .setWallTime(now / 1e3)
                .setFileVersion("brain.Event:2")
                .build());
        file.write(Event.newBuilder()
                .setWallTime(now / 1e3)
                .setStep(startStep)
                .setSessionLog(SessionLog.newBuilder().setStatus(SessionLog.SessionStatus.START))
                .build());
        return file;
    }

    public Path path() {
        return path;
    }

    /** One event holding the scalars of a step, tag to value, in the map's order. */
    public void scalars(long step, Map<String, Double> values) throws IOException {
        Summary.Builder summary = Summary.newBuilder();
        values.forEach((tag, value) ->
                summary.addValue(Summary.Value.newBuilder().setTag(tag).setSimpleValue(value.floatValue())));
        write(Event.newBuilder()
                .setWallTime(System.currentTimeMillis() / 1e3)
                .setStep(step)
                .setSummary(summary)
                .build());
    }

    private void write(Event event) throws IOException {
        records.write(event.toByteArray());
        out.hflush();
    }

    @Override
    public void close() throws IOException {
        out.close();
    }

    /** The host as TensorFlow names event files; where the name does not resolve, "localhost". */
    private static String host() {
        try {
            return InetAddress.getLocalHost().getHostName().replace('/', '_');
        } catch (IOException e) {
            return "localhost";
        }
    }
}
