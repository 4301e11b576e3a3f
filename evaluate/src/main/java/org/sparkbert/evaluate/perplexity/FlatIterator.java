package org.sparkbert.evaluate.perplexity;

import java.util.Collections;
import java.util.Iterator;
import java.util.List;
import java.util.NoSuchElementException;
import java.util.function.Function;

/** The items of each source element's list, in order, produced lazily (a partition never sits in memory). */
final class FlatIterator<S, T> implements Iterator<T> {
    private final Iterator<S> sources;
    private final Function<S, List<T>> expand;
    private Iterator<T> current = Collections.emptyIterator();

    FlatIterator(Iterator<S> sources, Function<S, List<T>> expand) {
        this.sources = sources;
        this.expand = expand;
    }

    @Override
    public boolean hasNext() {
        while (!current.hasNext() && sources.hasNext()) {
            current = expand.apply(sources.next()).iterator();
        }
        return current.hasNext();
    }

    @Override
    public T next() {
        if (!hasNext()) {
            throw new NoSuchElementException();
        }
        return current.next();
    }
}
