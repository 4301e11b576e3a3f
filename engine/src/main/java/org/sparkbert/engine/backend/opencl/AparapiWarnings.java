package org.sparkbert.engine.backend.opencl;

import java.util.ArrayDeque;
import java.util.Deque;
import java.util.logging.Handler;
import java.util.logging.Level;
import java.util.logging.LogRecord;
import java.util.logging.Logger;

/**
 * Keeps the last warnings Aparapi logged (through java.util.logging under "com.aparapi"), so that
 * when a kernel did not run on OpenCL the error can say why Aparapi fell back.
 */
final class AparapiWarnings {
    private static final int KEPT = 8;
    /** Held strongly: java.util.logging keeps loggers only weakly. */
    private static final Logger APARAPI = Logger.getLogger("com.aparapi");

    private static final Deque<String> LAST = new ArrayDeque<>();

    static {
        APARAPI.addHandler(new Handler() {
            @Override
            public void publish(LogRecord record) {
                if (record.getLevel().intValue() < Level.WARNING.intValue()) return;
                String text = record.getMessage();
                if (record.getThrown() != null) text += " (" + record.getThrown() + ")";
                synchronized (LAST) {
                    if (LAST.size() == KEPT) LAST.removeFirst();
                    LAST.addLast(text);
                }
            }

            @Override
            public void flush() {}

            @Override
            public void close() {}
        });
    }

    /** Installs the handler (class initialisation does it once per JVM). */
    static void install() {}

    /** The warnings logged since the last call, oldest first, or a note that there were none. */
    static String drain() {
        synchronized (LAST) {
            if (LAST.isEmpty()) return "Aparapi logged no warning";
            String all = String.join(" | ", LAST);
            LAST.clear();
            return all;
        }
    }

    private AparapiWarnings() {}
}
