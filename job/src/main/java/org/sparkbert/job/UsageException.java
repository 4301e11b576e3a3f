package org.sparkbert.job;

/**
 * A problem with the command line, the configuration or the paths given: the job stops before it
 * writes anything and exits with code 2. The message names the argument, key or path and what to do.
 */
public final class UsageException extends RuntimeException {
    public UsageException(String message) {
        super(message);
    }
}
