package org.sparkbert.engine.collective;

import java.io.Serializable;
import java.security.GeneralSecurityException;
import java.security.SecureRandom;
import java.util.Base64;
import javax.crypto.Mac;
import javax.crypto.spec.SecretKeySpec;

/**
 * The per-job key that ring peers prove to each other before any gradient flows. Random bytes made
 * once by the driver and handed to every rank. It never prints: {@link #toString()} is redacted and
 * no exception message of this package contains it.
 */
public final class JobSecret implements Serializable {
    private static final long serialVersionUID = 1L;
    private static final int KEY_BYTES = 32;
    private static final String MAC_ALGORITHM = "HmacSHA256";

    private final byte[] key;

    private JobSecret(byte[] key) {
        if (key.length < 16) {
            throw new IllegalArgumentException("a job secret needs at least 16 bytes, got " + key.length);
        }
        this.key = key.clone();
    }

    public static JobSecret generate() {
        byte[] key = new byte[KEY_BYTES];
        new SecureRandom().nextBytes(key);
        return new JobSecret(key);
    }

    /** For handing the secret to a child process (on its standard input, never on a command line). */
    public String toBase64() {
        return Base64.getEncoder().encodeToString(key);
    }

    public static JobSecret fromBase64(String text) {
        try {
            return new JobSecret(Base64.getDecoder().decode(text.trim()));
        } catch (IllegalArgumentException e) {
            // The decoder's message could echo part of the text, so it is not passed on.
            throw new IllegalArgumentException("the job secret is not valid base64");
        }
    }

    /** HMAC-SHA256 under this secret of the concatenated parts. */
    byte[] mac(byte[]... parts) {
        try {
            Mac mac = Mac.getInstance(MAC_ALGORITHM);
            mac.init(new SecretKeySpec(key, MAC_ALGORITHM));
            for (byte[] part : parts) {
                mac.update(part);
            }
            return mac.doFinal();
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException("this JVM has no " + MAC_ALGORITHM, e);
        }
    }

    @Override
    public String toString() {
        return "JobSecret(redacted)";
    }
}
