package org.sparkbert.engine.collective;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;

/** N ranks of one ring as threads of this JVM, connected over 127.0.0.1. */
final class ThreadRanks implements AutoCloseable {
    /** One rank's piece of work. */
    interface RankTask<T> {
        T run(int rank, RingAllReduce ring) throws Exception;
    }

    static final Duration HANG = Duration.ofSeconds(60);

    final List<RingAllReduce> rings = new ArrayList<>();
    final List<PeerAddress> published;
    private final ExecutorService threads;

    private ThreadRanks(ExecutorService threads, List<PeerAddress> published) {
        this.threads = threads;
        this.published = published;
    }

    /** Connects {@code size} ranks sharing {@code secret}; fails if any rank fails to connect. */
    static ThreadRanks connect(int size, JobSecret secret, RingConfig config) throws Exception {
        JobSecret[] secrets = new JobSecret[size];
        java.util.Arrays.fill(secrets, secret);
        return connect(secrets, config);
    }

    static ThreadRanks connect(JobSecret[] secrets, RingConfig config) throws Exception {
        int size = secrets.length;
        List<PeerAddress> published = new java.util.concurrent.CopyOnWriteArrayList<>();
        ThreadRanks ranks = new ThreadRanks(Executors.newFixedThreadPool(size), published);
        InProcessAddressExchange exchange = new InProcessAddressExchange(size, HANG);
        for (int r = 0; r < size; r++) {
            ranks.rings.add(new RingAllReduce(secrets[r], config));
        }
        ranks.onEveryRank((rank, ring) -> {
            AddressExchange mine = exchange.rank(rank);
            ring.connect(new AddressExchange() {
                @Override
                public int rank() {
                    return mine.rank();
                }

                @Override
                public int size() {
                    return mine.size();
                }

                @Override
                public String advertisedHost() {
                    return mine.advertisedHost();
                }

                @Override
                public List<PeerAddress> allGather(PeerAddress address) throws java.io.IOException {
                    List<PeerAddress> all = mine.allGather(address);
                    if (rank == 0) {
                        published.addAll(all);
                    }
                    return all;
                }
            });
            return null;
        });
        return ranks;
    }

    /** Runs {@code task} on every rank at once and returns each rank's result, rethrowing the first failure. */
    <T> List<T> onEveryRank(RankTask<T> task) throws Exception {
        List<Future<T>> futures = submit(task);
        List<T> results = new ArrayList<>();
        for (Future<T> future : futures) {
            try {
                results.add(future.get(HANG.toSeconds(), TimeUnit.SECONDS));
            } catch (ExecutionException e) {
                close();
                throw e.getCause() instanceof Exception cause ? cause : e;
            }
        }
        return results;
    }

    /** Runs {@code task} on every rank and returns each rank's outcome: a result or its exception. */
    <T> List<Object> outcomes(RankTask<T> task) throws InterruptedException, TimeoutException {
        List<Future<T>> futures = submit(task);
        List<Object> outcomes = new ArrayList<>();
        for (Future<T> future : futures) {
            try {
                outcomes.add(future.get(HANG.toSeconds(), TimeUnit.SECONDS));
            } catch (ExecutionException e) {
                outcomes.add(e.getCause());
            }
        }
        return outcomes;
    }

    private <T> List<Future<T>> submit(RankTask<T> task) {
        List<Future<T>> futures = new ArrayList<>();
        for (int r = 0; r < rings.size(); r++) {
            int rank = r;
            futures.add(threads.submit(() -> task.run(rank, rings.get(rank))));
        }
        return futures;
    }

    @Override
    public void close() {
        rings.forEach(RingAllReduce::close);
        threads.shutdownNow();
    }
}
