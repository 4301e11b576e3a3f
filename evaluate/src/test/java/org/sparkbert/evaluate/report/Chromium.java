package org.sparkbert.evaluate.report;

import java.awt.image.BufferedImage;
import java.io.File;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.TimeUnit;
import javax.imageio.ImageIO;

/** Headless Chromium (Debian's {@code chromium}) taking a screenshot of a local page, for rendering tests. */
final class Chromium {
    private static final List<String> NAMES = List.of("chromium", "chromium-browser", "google-chrome");

    private Chromium() {}

    static BufferedImage screenshot(Path page, int width, int height, Path workDir)
            throws IOException, InterruptedException {
        Path profile = Files.createDirectories(workDir.resolve("chromium-profile"));
        Path png = workDir.resolve("screenshot.png");
        Path log = workDir.resolve("chromium.log");
        Process process = new ProcessBuilder(
                        binary(),
                        "--headless",
                        "--no-sandbox",
                        "--disable-gpu",
                        "--disable-quic",
                        "--no-first-run",
                        "--disable-background-networking",
                        "--disable-component-update",
                        "--disable-sync",
                        "--hide-scrollbars",
                        "--force-device-scale-factor=1",
                        "--user-data-dir=" + profile,
                        "--screenshot=" + png,
                        "--window-size=" + width + "," + height,
                        page.toUri().toString())
                .redirectErrorStream(true)
                .redirectOutput(log.toFile())
                .start();
        if (!process.waitFor(90, TimeUnit.SECONDS)) {
            process.destroyForcibly();
            throw new IllegalStateException(
                    "chromium did not finish in 90 s; its output: " + Files.readString(log, StandardCharsets.UTF_8));
        }
        if (process.exitValue() != 0 || !Files.isRegularFile(png)) {
            throw new IllegalStateException("chromium exited with " + process.exitValue()
                    + " and no screenshot; its output: " + Files.readString(log, StandardCharsets.UTF_8));
        }
        return ImageIO.read(png.toFile());
    }

    /**
     * document.documentElement.scrollWidth of a page in a window this wide: a copy of the page with a
     * script that writes it into the title, read back from Chromium's --dump-dom.
     */
    static int scrollWidth(Path page, int width, int height, Path workDir) throws IOException, InterruptedException {
        Path measured = workDir.resolve("measure-" + page.getFileName());
        String html = Files.readString(page, StandardCharsets.UTF_8)
                .replace(
                        "</body>",
                        "<script>window.addEventListener('load', () => { document.title = 'scrollWidth=' + document.documentElement.scrollWidth; });</script></body>");
        Files.writeString(measured, html, StandardCharsets.UTF_8);
        Path profile = Files.createDirectories(workDir.resolve("chromium-profile-dom"));
        Path dom = workDir.resolve("dom.html");
        Process process = new ProcessBuilder(
                        binary(),
                        "--headless",
                        "--no-sandbox",
                        "--disable-gpu",
                        "--no-first-run",
                        "--disable-background-networking",
                        "--disable-component-update",
                        "--disable-sync",
                        "--hide-scrollbars",
                        "--force-device-scale-factor=1",
                        "--user-data-dir=" + profile,
                        "--window-size=" + width + "," + height,
                        "--virtual-time-budget=2000",
                        "--dump-dom",
                        measured.toUri().toString())
                .redirectErrorStream(false)
                .redirectOutput(dom.toFile())
                .redirectError(ProcessBuilder.Redirect.DISCARD)
                .start();
        if (!process.waitFor(90, TimeUnit.SECONDS)) {
            process.destroyForcibly();
            throw new IllegalStateException("chromium --dump-dom did not finish in 90 s");
        }
        java.util.regex.Matcher m = java.util.regex.Pattern.compile("scrollWidth=(\\d+)")
                .matcher(Files.readString(dom, StandardCharsets.UTF_8));
        if (!m.find()) {
            throw new IllegalStateException("chromium's DOM dump holds no measured scrollWidth: "
                    + Files.readString(dom, StandardCharsets.UTF_8));
        }
        return Integer.parseInt(m.group(1));
    }

    private static String binary() {
        for (String dir : System.getenv().getOrDefault("PATH", "/usr/bin").split(File.pathSeparator)) {
            for (String name : NAMES) {
                File candidate = new File(dir, name);
                if (candidate.canExecute()) {
                    return candidate.getPath();
                }
            }
        }
        throw new IllegalStateException("no chromium on PATH: this test renders report.html in headless Chromium;"
                + " install it with 'apt-get install -y chromium' (.ci/run does)");
    }
}
