package org.sparkbert.evaluate.perplexity;

import java.io.Serializable;

/**
 * One held-out document: its text and a stable key (file name and ordinal, or the clean/ table's id)
 * from which its sequences' mask seeds derive, so that the masks do not depend on partitioning.
 */
public record Document(String key, String text) implements Serializable {}
