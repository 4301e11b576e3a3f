package org.sparkbert.train.distributed;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;

import java.io.IOException;
import java.io.Serializable;
import java.io.UncheckedIOException;
import java.time.Duration;
import java.util.List;
import org.apache.spark.BarrierTaskContext;
import org.apache.spark.api.java.JavaSparkContext;
import org.apache.spark.sql.SparkSession;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.sparkbert.engine.collective.JobSecret;
import org.sparkbert.engine.collective.RingAllReduce;
import org.sparkbert.engine.collective.RingConfig;
import org.sparkbert.engine.collective.TestBuffers;
import scala.collection.Iterator;
import scala.jdk.javaapi.CollectionConverters;
import scala.reflect.ClassTag$;
import scala.runtime.AbstractFunction1;

/** The ring inside a real Spark barrier stage, addresses exchanged with BarrierTaskContext.allGather. */
class BarrierAddressExchangeTest {
    private static SparkSession spark;

    @BeforeAll
    static void startSpark() {
        spark = SparkSession.builder()
                .master("local[2]")
                .appName("ring-all-reduce-test")
                .config("spark.driver.host", "127.0.0.1")
                .config("spark.driver.bindAddress", "127.0.0.1")
                .config("spark.ui.enabled", "false")
                .config("spark.sql.shuffle.partitions", "4")
                .getOrCreate();
    }

    @AfterAll
    static void stopSpark() {
        spark.stop();
    }

    @Test
    void twoBarrierTasksAllReduceToTheExactSum() {
        int length = 100_003;
        long seed = 9;
        JavaSparkContext context = JavaSparkContext.fromSparkContext(spark.sparkContext());
        RingTask task = new RingTask(JobSecret.generate(), length, seed);
        List<float[]> results = context.parallelize(List.of(0, 1), 2)
                .rdd()
                .barrier()
                .mapPartitions(task, false, ClassTag$.MODULE$.apply(float[].class))
                .toJavaRDD()
                .collect();

        assertEquals(2, results.size());
        double[] truth = TestBuffers.doubleSum(new float[][] {
            TestBuffers.exactlySummable(seed, 0, length), TestBuffers.exactlySummable(seed, 1, length)
        });
        float[] expected = new float[length];
        for (int i = 0; i < length; i++) {
            expected[i] = (float) truth[i];
        }
        assertArrayEquals(expected, results.get(0));
        assertArrayEquals(expected, results.get(1));
    }

    /** One rank per barrier task: connect through the stage's allGather, all-reduce, return the sum. */
    private static final class RingTask extends AbstractFunction1<Iterator<Integer>, Iterator<float[]>>
            implements Serializable {
        private static final long serialVersionUID = 1L;
        private final JobSecret secret;
        private final int length;
        private final long seed;

        RingTask(JobSecret secret, int length, long seed) {
            this.secret = secret;
            this.length = length;
            this.seed = seed;
        }

        @Override
        public Iterator<float[]> apply(Iterator<Integer> ignored) {
            BarrierTaskContext context = BarrierTaskContext.get();
            try (RingAllReduce ring =
                    new RingAllReduce(secret, RingConfig.defaults().withTimeout(Duration.ofSeconds(60)))) {
                BarrierAddressExchange exchange = new BarrierAddressExchange(context);
                ring.connect(exchange);
                float[] buf = TestBuffers.exactlySummable(seed, exchange.rank(), length);
                ring.allReduce(buf);
                return CollectionConverters.asScala(List.of(buf).iterator());
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            }
        }
    }
}
