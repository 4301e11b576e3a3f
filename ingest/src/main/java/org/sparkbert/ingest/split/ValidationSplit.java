package org.sparkbert.ingest.split;

import java.io.Serializable;
import java.math.BigInteger;
import org.sparkbert.ingest.dedup.Hashes;

/**
 * Which pages are held out for validation: C4's rule, a hash of the normalised URL, so a page lands
 * on the same side in every run and on every cluster, and a page seen again later (a new crawl of the
 * same URL) stays on its side. A page is held out when {@code md5(normalised url)}, read as an unsigned
 * 128-bit number, modulo 1,000,000 falls below {@code fraction x 1,000,000}; pages without a URL are
 * hashed by their id. (C4 itself holds out {@code md5 % 1000 == 0}, 0.1%; a fraction in millionths
 * lets the small bundled sample keep a usable validation set.)
 */
public final class ValidationSplit implements Serializable {
    private static final long serialVersionUID = 1L;
    /** Resolution of the fraction: one millionth. */
    public static final int BUCKETS = 1_000_000;

    private static final BigInteger MODULUS = BigInteger.valueOf(BUCKETS);

    private final long threshold;

    /** @param fraction the share of pages held out, in [0, 1) */
    public ValidationSplit(double fraction) {
        if (!(fraction >= 0 && fraction < 1)) {
            throw new IllegalArgumentException("The validation fraction must lie in [0, 1), not " + fraction + ".");
        }
        this.threshold = Math.round(fraction * BUCKETS);
    }

    /** The bucket in [0, BUCKETS) of a page, from its normalised URL (or its id when it has none). */
    public static int bucket(String urlKey, String id) {
        byte[] md5 = Hashes.md5(urlKey != null ? urlKey : id);
        return new BigInteger(1, md5).mod(MODULUS).intValue();
    }

    public boolean isValidation(String urlKey, String id) {
        return bucket(urlKey, id) < threshold;
    }
}
