package org.sparkbert.train.distributed;

import java.io.DataInputStream;
import java.io.DataOutputStream;
import java.io.IOException;
import java.net.URI;
import java.util.OptionalLong;
import org.apache.hadoop.conf.Configuration;
import org.apache.hadoop.fs.FSDataOutputStream;
import org.apache.hadoop.fs.FileStatus;
import org.apache.hadoop.fs.FileSystem;
import org.apache.hadoop.fs.Path;
import org.sparkbert.engine.loop.ReplicaCheckpoints;

/** Checkpoints of the stand-in engine on a Hadoop FileSystem: step-NNNNNN/state written under a temporary name and renamed. */
final class LinearCheckpoints implements ReplicaCheckpoints<LinearEngine.Replica> {
    private static final long serialVersionUID = 1L;
    private final String dir;

    LinearCheckpoints(String dir) {
        this.dir = dir;
    }

    private FileSystem fs() throws IOException {
        return FileSystem.get(URI.create(dir), new Configuration());
    }

    @Override
    public OptionalLong latestStep() throws IOException {
        FileSystem fs = fs();
        Path root = new Path(dir);
        if (!fs.exists(root)) return OptionalLong.empty();
        long best = -1;
        for (FileStatus s : fs.listStatus(root)) {
            String name = s.getPath().getName();
            if (name.matches("step-\\d{6}") && fs.exists(new Path(s.getPath(), "state"))) {
                best = Math.max(best, Long.parseLong(name.substring(5)));
            }
        }
        return best < 0 ? OptionalLong.empty() : OptionalLong.of(best);
    }

    @Override
    public void restore(long step, LinearEngine.Replica replica) throws IOException {
        try (DataInputStream in = fs().open(new Path(dir, String.format("step-%06d/state", step)))) {
            for (int j = 0; j < replica.w.length; j++) replica.w[j] = in.readFloat();
            for (int j = 0; j < replica.v.length; j++) replica.v[j] = in.readFloat();
        }
    }

    @Override
    public void save(long step, LinearEngine.Replica replica) throws IOException {
        FileSystem fs = fs();
        Path tmp = new Path(dir, String.format("_tmp-step-%06d", step));
        fs.delete(tmp, true);
        try (FSDataOutputStream out = fs.create(new Path(tmp, "state"))) {
            DataOutputStream data = new DataOutputStream(out);
            for (float x : replica.w) data.writeFloat(x);
            for (float x : replica.v) data.writeFloat(x);
            data.flush();
        }
        Path target = new Path(dir, String.format("step-%06d", step));
        fs.delete(target, true);
        if (!fs.rename(tmp, target)) throw new IOException("could not rename " + tmp + " to " + target);
    }
}
