package org.sparkbert.train.distributed;

import org.sparkbert.engine.collective.FrameIntegrity;
import org.sparkbert.engine.collective.RingConfig;
import org.sparkbert.job.Settings;
import org.sparkbert.job.UsageException;

/** The ring's tuning from the {@code ring.} settings (conf/train.properties). */
public final class RingSettings {
    private static final String RING_INTEGRITY = "ring.integrity";

    private RingSettings() {}

    /** Settings types text keys loosely, so the values are checked here, naming the key. */
    public static RingConfig of(Settings settings) {
        String integrity = settings.string(RING_INTEGRITY);
        try {
            return RingConfig.defaults().withIntegrity(FrameIntegrity.parse(integrity));
        } catch (IllegalArgumentException e) {
            throw new UsageException("Setting '" + RING_INTEGRITY + "' must be crc32c or hmac-sha256, not '" + integrity
                    + "' (see conf/train.properties).");
        }
    }
}
