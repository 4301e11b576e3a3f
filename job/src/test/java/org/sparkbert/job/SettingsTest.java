package org.sparkbert.job;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class SettingsTest {
    private static final List<String> FILES = List.of("example-stage.properties");

    @Test
    void defaultsComeFromTheBundledConfFile() {
        Settings s = Settings.load(FILES, null, Map.of());
        assertEquals(10, s.integer("example.rows"));
        assertEquals(0.5, s.number("example.ratio"));
        assertTrue(s.flag("example.enabled"));
        assertEquals("plain text", s.string("example.label"));
    }

    @Test
    void settingsFileThenConfOverride(@TempDir Path dir) throws Exception {
        Path file = dir.resolve("my.properties");
        Files.writeString(file, "example.rows = 20\nexample.ratio = 0.25\nspark.executor.memory = 2g\n");
        Settings s = Settings.load(FILES, file, Map.of("example.rows", "30"));
        assertEquals(30, s.integer("example.rows"));
        assertEquals(0.25, s.number("example.ratio"));
    }

    @Test
    void unknownKeyNamesItAndSuggestsTheNearest() {
        UsageException e =
                assertThrows(UsageException.class, () -> Settings.load(FILES, null, Map.of("example.row", "5")));
        assertTrue(e.getMessage().contains("'example.row'"), e.getMessage());
        assertTrue(e.getMessage().contains("Did you mean 'example.rows'"), e.getMessage());
    }

    @Test
    void wrongTypeNamesTheKeyAndTheExpectedType() {
        UsageException e =
                assertThrows(UsageException.class, () -> Settings.load(FILES, null, Map.of("example.rows", "many")));
        assertTrue(e.getMessage().contains("'example.rows'") && e.getMessage().contains("integer"), e.getMessage());
        assertThrows(UsageException.class, () -> Settings.load(FILES, null, Map.of("example.enabled", "yes")));
        // An integer is a valid number, and any value is valid text.
        assertEquals(
                2.0, Settings.load(FILES, null, Map.of("example.ratio", "2")).number("example.ratio"));
        assertEquals(
                "42", Settings.load(FILES, null, Map.of("example.label", "42")).string("example.label"));
    }

    @Test
    void everyNumericKeyHasItsRangeChecked(@TempDir Path dir) throws Exception {
        UsageException huge = assertThrows(
                UsageException.class,
                () -> Settings.load(FILES, null, Map.of("example.rows", "99999999999999999999999")));
        assertTrue(
                huge.getMessage().contains("'example.rows'")
                        && huge.getMessage().contains("[0, 2147483647]"),
                huge.getMessage());
        Path file = Files.writeString(dir.resolve("my.properties"), "example.ratio = 2.5\n");
        UsageException ratio = assertThrows(UsageException.class, () -> Settings.load(FILES, file, Map.of()));
        assertTrue(
                ratio.getMessage().contains("'example.ratio' must lie in [0, 2], not 2.5 (in " + file)
                        && ratio.getMessage().contains("[0, 2]"),
                ratio.getMessage());
        Map<String, String> instances = Map.of("instances.properties", projectConf("instances.properties"));
        UsageException masking = assertThrows(
                UsageException.class, () -> Settings.load(instances, null, Map.of("masking.probability", "2")));
        assertTrue(
                masking.getMessage().contains("'masking.probability'")
                        && masking.getMessage().contains("(0, 1]"),
                masking.getMessage());
        assertEquals(
                1.0,
                Settings.load(instances, null, Map.of("masking.probability", "1"))
                        .number("masking.probability"));
        Map<String, String> ingest = Map.of("ingest.properties", projectConf("ingest.properties"));
        assertThrows(
                UsageException.class,
                () -> Settings.load(ingest, null, Map.of("ingest.dedup.near.seed", "99999999999999999999")),
                "a seed must fit in a long");
    }

    @Test
    void everyProjectConfFileDeclaresARangeForEachNumericKey() throws Exception {
        try (var files = Files.list(Path.of("..", "conf"))) {
            for (Path f : files.filter(p -> p.toString().endsWith(".properties")
                            && !p.toString().contains("log4j"))
                    .toList()) {
                String name = f.getFileName().toString();
                Settings.load(Map.of(name, projectConf(name)), null, Map.of());
            }
        }
        IllegalStateException missing = assertThrows(
                IllegalStateException.class,
                () -> Settings.load(Map.of("x.properties", "x.rows = 3\n"), null, Map.of()));
        assertTrue(missing.getMessage().contains("'x.rows'"), missing.getMessage());
    }

    /** A file of the repository's conf/ (each module bundles only its own). */
    private static String projectConf(String name) throws java.io.IOException {
        return Files.readString(Path.of("..", "conf", name));
    }

    @Test
    void sparkKeysOfASettingsFileAreKeptForSpark(@TempDir Path dir) throws Exception {
        Path file = Files.writeString(dir.resolve("s.properties"), "spark.executor.memory = 2g\nexample.rows = 3\n");
        assertEquals(Map.of("spark.executor.memory", "2g"), Settings.sparkSettingsIn(file));
        assertEquals(Map.of(), Settings.sparkSettingsIn(null));
    }

    @Test
    void missingSettingsFileIsAUsageError(@TempDir Path dir) {
        UsageException e = assertThrows(
                UsageException.class, () -> Settings.load(FILES, dir.resolve("absent.properties"), Map.of()));
        assertTrue(e.getMessage().contains("absent.properties"), e.getMessage());
    }

    @Test
    void nearestKeyIgnoresFarFetchedMatches() {
        assertEquals(
                "example.rows",
                NearestKey.among("exampel.rows", List.of("example.rows", "example.ratio"))
                        .orElseThrow());
        assertTrue(NearestKey.among("completely.different.key", List.of("example.rows"))
                .isEmpty());
        assertEquals(3, NearestKey.editDistance("kitten", "sitting"));
    }
}
