package org.sparkbert.ingest.dedup;

import java.util.regex.Pattern;

/**
 * C4's {@code normalize_url}: remove every {@code http(s)://} and {@code www.} prefix, cut the query
 * from a {@code ?utm_}, {@code ?ref} or {@code ?feed} on, and strip trailing slashes. Two pages with
 * the same normalised URL are the same page.
 */
public final class UrlNormaliser {
    private static final Pattern SCHEME = Pattern.compile("https?://(www\\.)?");
    private static final Pattern TRACKING = Pattern.compile("\\?(utm_|ref|feed).*", Pattern.DOTALL);

    private UrlNormaliser() {}

    public static String normalise(String url) {
        String u = SCHEME.matcher(url).replaceAll("");
        u = TRACKING.matcher(u).replaceAll("");
        int end = u.length();
        while (end > 0 && u.charAt(end - 1) == '/') {
            end--;
        }
        return u.substring(0, end);
    }
}
