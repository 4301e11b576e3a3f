package org.sparkbert.ingest.split;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.junit.jupiter.api.Test;

class ValidationSplitTest {
    /** Buckets from Python: int(hashlib.md5(url.encode()).hexdigest(), 16) % 1000000. */
    @Test
    void bucketsAreMd5OfTheNormalisedUrlModuloAMillion() {
        assertEquals(522712, ValidationSplit.bucket("good.example/1", "ignored"));
        assertEquals(794162, ValidationSplit.bucket("example.com/a", null));
        assertEquals(81222, ValidationSplit.bucket("example.com/page-7", null));
        assertEquals(40928, ValidationSplit.bucket("example.com/page-17", null));
        assertEquals(29204, ValidationSplit.bucket("example.com/page-27", null));
    }

    @Test
    void aPageWithoutUrlIsHashedByItsId() {
        assertEquals(ValidationSplit.bucket("example.com/a", null), ValidationSplit.bucket(null, "example.com/a"));
    }

    @Test
    void theFractionIsAThresholdOnTheBucket() {
        ValidationSplit fivePercent = new ValidationSplit(0.05);
        assertTrue(fivePercent.isValidation("example.com/page-17", null)); // 40928 < 50000
        assertTrue(fivePercent.isValidation("example.com/page-27", null)); // 29204
        assertFalse(fivePercent.isValidation("example.com/page-7", null)); // 81222
        assertFalse(fivePercent.isValidation("good.example/1", null)); // 522712
        assertTrue(new ValidationSplit(0.041).isValidation("example.com/page-17", null));
        assertFalse(new ValidationSplit(0.040).isValidation("example.com/page-17", null));
        assertFalse(new ValidationSplit(0).isValidation("example.com/page-27", null));
    }

    @Test
    void aFractionOutsideZeroToOneIsRefused() {
        assertThrows(IllegalArgumentException.class, () -> new ValidationSplit(1.0));
        assertThrows(IllegalArgumentException.class, () -> new ValidationSplit(-0.1));
        assertThrows(IllegalArgumentException.class, () -> new ValidationSplit(Double.NaN));
    }
}
