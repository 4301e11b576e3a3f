package org.sparkbert.job;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

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
        UsageException e = assertThrows(UsageException.class,
                () -> Settings.load(FILES, null, Map.of("example.row", "5")));
        assertTrue(e.getMessage().contains("'example.row'"), e.getMessage());
        assertTrue(e.getMessage().contains("Did you mean 'example.rows'"), e.getMessage());
    }

    @Test
    void wrongTypeNamesTheKeyAndTheExpectedType() {
        UsageException e = assertThrows(UsageException.class,
                () -> Settings.load(FILES, null, Map.of("example.rows", "many")));
        assertTrue(e.getMessage().contains("'example.rows'") && e.getMessage().contains("integer"), e.getMessage());
        assertThrows(UsageException.class, () -> Settings.load(FILES, null, Map.of("example.enabled", "yes")));
        // An integer is a valid number, and any value is valid text.
        assertEquals(2.0, Settings.load(FILES, null, Map.of("example.ratio", "2")).number("example.ratio"));
        assertEquals("42", Settings.load(FILES, null, Map.of("example.label", "42")).string("example.label"));
    }

    @Test
    void missingSettingsFileIsAUsageError(@TempDir Path dir) {
        UsageException e = assertThrows(UsageException.class,
                () -> Settings.load(FILES, dir.resolve("absent.properties"), Map.of()));
        assertTrue(e.getMessage().contains("absent.properties"), e.getMessage());
    }

    @Test
    void nearestKeyIgnoresFarFetchedMatches() {
        assertEquals("example.rows", NearestKey.among("exampel.rows", List.of("example.rows", "example.ratio")).orElseThrow());
        assertTrue(NearestKey.among("completely.different.key", List.of("example.rows")).isEmpty());
        assertEquals(3, NearestKey.editDistance("kitten", "sitting"));
    }
}
