package org.sparkbert.ingest.dedup;

import static org.junit.jupiter.api.Assertions.assertEquals;

import org.junit.jupiter.api.Test;

class UrlNormaliserTest {
    @Test
    void normalisesAsC4Does() {
        assertEquals("example.com/a", UrlNormaliser.normalise("https://www.example.com/a/"));
        assertEquals("example.com/a", UrlNormaliser.normalise("http://example.com/a"));
        assertEquals("example.com/a", UrlNormaliser.normalise("http://example.com/a?utm_source=x&b=1"));
        assertEquals("example.com/a", UrlNormaliser.normalise("http://example.com/a/?ref=home"));
        assertEquals("example.com/a", UrlNormaliser.normalise("http://example.com/a?feed=rss"));
        assertEquals("example.com/a?id=3", UrlNormaliser.normalise("http://example.com/a?id=3"));
        assertEquals("ftp://example.com/a", UrlNormaliser.normalise("ftp://example.com/a//"));
    }
}
