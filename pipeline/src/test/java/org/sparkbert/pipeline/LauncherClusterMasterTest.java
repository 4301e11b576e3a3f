package org.sparkbert.pipeline;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.net.ServerSocket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * scripts/pretrain with a YARN or Kubernetes master it cannot use: one line on standard error naming
 * what it needs or what it tried to reach, and the exit code its usage documents (2 for missing
 * configuration, 1 for an unreachable server), before it builds anything or starts Spark.
 */
class LauncherClusterMasterTest {
    private static final Path LAUNCHER =
            Path.of(System.getProperty("sparkbert.project.root", ".")).resolve("scripts/pretrain");

    private record Result(int code, List<String> errorLines) {}

    private static Result launch(Map<String, String> environment, String... args) throws Exception {
        List<String> command = new ArrayList<>(List.of("bash", LAUNCHER.toString()));
        command.addAll(List.of(args));
        ProcessBuilder builder = new ProcessBuilder(command).redirectOutput(ProcessBuilder.Redirect.DISCARD);
        builder.environment().remove("HADOOP_CONF_DIR");
        builder.environment().remove("YARN_CONF_DIR");
        builder.environment().putAll(environment);
        Process process = builder.start();
        String stderr = new String(process.getErrorStream().readAllBytes(), StandardCharsets.UTF_8);
        assertTrue(process.waitFor(60, TimeUnit.SECONDS), "the launcher returns");
        return new Result(process.exitValue(), stderr.lines().toList());
    }

    /** A local port that nothing listens on. */
    private static int closedPort() throws IOException {
        try (ServerSocket socket = new ServerSocket(0)) {
            return socket.getLocalPort();
        }
    }

    @Test
    void yarnWithoutHadoopConfDirIsAUsageError() throws Exception {
        Result result = launch(Map.of(), "ingest", "--master", "yarn", "--input", "in", "--output", "out");
        assertEquals(2, result.code(), String.join("\n", result.errorLines()));
        assertEquals(1, result.errorLines().size(), "one line: " + result.errorLines());
        assertTrue(
                result.errorLines().get(0).contains("HADOOP_CONF_DIR or YARN_CONF_DIR"),
                result.errorLines().get(0));
    }

    @Test
    void yarnWithAnUnreachableResourceManagerNamesIt(@TempDir Path conf) throws Exception {
        int port = closedPort();
        Files.writeString(conf.resolve("yarn-site.xml"), """
                <?xml version="1.0"?>
                <configuration>
                  <property>
                    <name>yarn.resourcemanager.hostname</name>
                    <value>127.0.0.1</value>
                  </property>
                  <property>
                    <name>yarn.resourcemanager.address</name>
                    <value>${yarn.resourcemanager.hostname}:%d</value>
                  </property>
                </configuration>
                """.formatted(port));
        Result result = launch(
                Map.of("HADOOP_CONF_DIR", conf.toString()),
                "train",
                "--master",
                "yarn",
                "--data",
                "in",
                "--output",
                "out");
        assertEquals(1, result.code(), String.join("\n", result.errorLines()));
        assertEquals(1, result.errorLines().size(), "one line: " + result.errorLines());
        assertTrue(
                result.errorLines().get(0).contains("YARN ResourceManager at 127.0.0.1:" + port),
                result.errorLines().get(0));
    }

    @Test
    void kubernetesWithAClosedApiServerPortNamesIt() throws Exception {
        int port = closedPort();
        Result result = launch(
                Map.of(), "ingest", "--master", "k8s://https://127.0.0.1:" + port, "--input", "in", "--output", "out");
        assertEquals(1, result.code(), String.join("\n", result.errorLines()));
        assertEquals(1, result.errorLines().size(), "one line: " + result.errorLines());
        assertTrue(
                result.errorLines().get(0).contains("Kubernetes API server at https://127.0.0.1:" + port),
                result.errorLines().get(0));
    }
}
