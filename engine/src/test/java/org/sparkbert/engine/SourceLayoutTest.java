package org.sparkbert.engine;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;

/** DESIGN.md's layout rules, read off the sources of every module. */
class SourceLayoutTest {
    private static final Pattern PACKAGE = Pattern.compile("^package ([\\w.]+);", Pattern.MULTILINE);
    private static final Pattern IMPORT =
            Pattern.compile("^import (?:static )?(org\\.sparkbert\\.[\\w.]+?)(?:\\.\\*)?;", Pattern.MULTILINE);
    private static final Path ROOT = Path.of(System.getProperty("sparkbert.project.root"));

    @Test
    void theEngineImportsNoSparkClass() throws IOException {
        List<String> offenders = new ArrayList<>();
        for (Path f : javaFiles(ROOT.resolve("engine/src"))) {
            if (Files.readString(f).matches("(?s).*\\bimport (static )?(org\\.apache\\.spark|scala)\\..*"))
                offenders.add(f.toString());
        }
        assertEquals(List.of(), offenders);
    }

    @Test
    void noMainSourceIsABenchmarkOrATestHarness() throws IOException {
        List<String> offenders = new ArrayList<>();
        for (Path f : mainSources()) {
            String name = f.getFileName().toString();
            if (!f.startsWith(ROOT.resolve("bench"))
                    && (name.contains("Benchmark")
                            || f.toString().contains("/bench/")
                            || name.startsWith("InProcess")
                            || name.contains("StandaloneCluster"))) {
                offenders.add(ROOT.relativize(f).toString());
            }
        }
        assertEquals(List.of(), offenders);
    }

    /** No two main-source files import each other, directly or through others (a cycle of imports). */
    @Test
    void noImportCyclesBetweenMainSources() throws IOException {
        Map<String, Set<String>> imports = new HashMap<>();
        for (Path f : mainSources()) {
            String text = Files.readString(f);
            Matcher p = PACKAGE.matcher(text);
            if (!p.find()) continue;
            String cls = p.group(1) + "." + f.getFileName().toString().replace(".java", "");
            Set<String> targets = new HashSet<>();
            Matcher m = IMPORT.matcher(text);
            while (m.find()) targets.add(topLevel(m.group(1)));
            imports.put(cls, targets);
        }
        assertTrue(imports.size() > 200, "read " + imports.size() + " classes");
        List<String> cycles = new ArrayList<>();
        Map<String, Integer> state = new HashMap<>();
        for (String c : imports.keySet()) visit(c, imports, state, new ArrayList<>(), cycles);
        assertEquals(List.of(), cycles);
    }

    private static void visit(
            String c,
            Map<String, Set<String>> imports,
            Map<String, Integer> state,
            List<String> path,
            List<String> cycles) {
        Integer s = state.get(c);
        if (s != null && s == 2) return;
        if (s != null && s == 1) {
            cycles.add(String.join(" -> ", path.subList(path.indexOf(c), path.size())) + " -> " + c);
            return;
        }
        state.put(c, 1);
        path.add(c);
        for (String t : imports.getOrDefault(c, Set.of()))
            if (imports.containsKey(t)) visit(t, imports, state, path, cycles);
        path.remove(path.size() - 1);
        state.put(c, 2);
    }

    /** org.sparkbert.a.B.Inner -> org.sparkbert.a.B (the first capitalised segment ends the class name). */
    private static String topLevel(String name) {
        String[] parts = name.split("\\.");
        StringBuilder out = new StringBuilder();
        for (String part : parts) {
            if (out.length() > 0) out.append('.');
            out.append(part);
            if (Character.isUpperCase(part.charAt(0))) break;
        }
        return out.toString();
    }

    private static List<Path> mainSources() throws IOException {
        List<Path> out = new ArrayList<>();
        try (Stream<Path> modules = Files.list(ROOT)) {
            for (Path m : modules.filter(d -> Files.isDirectory(d.resolve("src/main/java")))
                    .toList()) {
                out.addAll(javaFiles(m.resolve("src/main/java")));
            }
        }
        return out;
    }

    private static List<Path> javaFiles(Path dir) throws IOException {
        try (Stream<Path> files = Files.walk(dir)) {
            return files.filter(f -> f.toString().endsWith(".java")).toList();
        }
    }
}
