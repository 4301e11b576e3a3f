package org.sparkbert.job;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.util.Properties;
import picocli.CommandLine;

/**
 * What {@code --version} prints for every stage and for {@code scripts/pretrain --version}: the
 * project's version (from the build) and the Spark, Scala and Java it runs on, which decide whether a
 * checkpoint or a cluster fits.
 */
public final class ProjectVersion implements CommandLine.IVersionProvider {
    private static final String RESOURCE = "version.properties";

    /** The project's version, as the build that made these classes wrote it. */
    public static String project() {
        Properties properties = new Properties();
        try (InputStream in = ProjectVersion.class.getResourceAsStream(RESOURCE)) {
            if (in == null) {
                throw new IllegalStateException(RESOURCE + " is missing beside " + ProjectVersion.class.getName());
            }
            properties.load(in);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        return properties.getProperty("version");
    }

    /** One line: {@code sparkbert 0.1.0 (Spark 4.1.3, Scala 2.13.16, Java 17.0.15)}. */
    public static String line() {
        return "sparkbert " + project() + " (Spark " + org.apache.spark.package$.MODULE$.SPARK_VERSION()
                + ", Scala " + scala.util.Properties.versionNumberString()
                + ", Java " + Runtime.version() + ")";
    }

    @Override
    public String[] getVersion() {
        return new String[] {line()};
    }

    /** For the launcher's {@code --version}, which starts no stage. */
    public static void main(String[] args) {
        System.out.println(line());
    }
}
