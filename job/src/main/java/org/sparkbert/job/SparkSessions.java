package org.sparkbert.job;

import java.util.Map;
import org.apache.logging.log4j.Level;
import org.apache.logging.log4j.core.config.Configurator;
import org.apache.spark.sql.SparkSession;

/** Starts (or joins) the SparkSession of a stage with the master and Spark settings it was given. */
public final class SparkSessions {
    private SparkSessions() {}

    public static SparkSession start(String appName, String master, Map<String, String> sparkConf, boolean verbose) {
        if (!verbose) {
            // Spark's INFO lines drown the stage's own progress; --verbose brings them back.
            Configurator.setLevel("org.apache.spark", Level.WARN);
            Configurator.setLevel("org.apache.hadoop", Level.WARN);
            Configurator.setLevel("org.sparkproject", Level.WARN);
            Configurator.setLevel("org.apache.parquet", Level.WARN);
        }
        scala.Option<SparkSession> running = SparkSession.getActiveSession().orElse(SparkSession::getDefaultSession);
        if (running.isDefined()) {
            // Stages run one after another in one JVM (the pipeline, tests): join the session, and apply
            // what can still change at run time; the rest was fixed when the session started.
            SparkSession session = running.get();
            sparkConf.forEach((k, v) -> {
                if (session.conf().isModifiable(k)) {
                    session.conf().set(k, v);
                }
            });
            return session;
        }
        SparkSession.Builder builder = SparkSession.builder().appName(appName);
        if (master != null) {
            builder.master(master);
        } else if (System.getProperty("spark.master") == null) {
            builder.master("local[*]");
        }
        sparkConf.forEach(builder::config);
        return builder.getOrCreate();
    }

    public static void stopIfStarted() {
        SparkSession.getActiveSession().foreach(s -> {
            s.stop();
            return null;
        });
        SparkSession.getDefaultSession().foreach(s -> {
            s.stop();
            return null;
        });
    }
}
