package org.sparkbert.evaluate.report;

import javax.imageio.ImageIO;
import java.awt.image.BufferedImage;
import java.io.File;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.TimeUnit;

/** Headless Chromium (Debian's {@code chromium}) taking a screenshot of a local page, for rendering tests. */
final class Chromium {
    private static final List<String> NAMES = List.of("chromium", "chromium-browser", "google-chrome");

    private Chromium() {
    }

    static BufferedImage screenshot(Path page, int width, int height, Path workDir) throws IOException, InterruptedException {
        Path profile = Files.createDirectories(workDir.resolve("chromium-profile"));
        Path png = workDir.resolve("screenshot.png");
        Path log = workDir.resolve("chromium.log");
        Process process = new ProcessBuilder(binary(), "--headless", "--no-sandbox", "--disable-gpu", "--disable-quic",
                "--no-first-run", "--disable-background-networking", "--disable-component-update", "--disable-sync",
                "--hide-scrollbars", "--force-device-scale-factor=1", "--user-data-dir=" + profile,
                "--screenshot=" + png, "--window-size=" + width + "," + height, page.toUri().toString())
                .redirectErrorStream(true).redirectOutput(log.toFile()).start();
        if (!process.waitFor(90, TimeUnit.SECONDS)) {
            process.destroyForcibly();
            throw new IllegalStateException("chromium did not finish in 90 s; its output: " + Files.readString(log, StandardCharsets.UTF_8));
        }
        if (process.exitValue() != 0 || !Files.isRegularFile(png)) {
            throw new IllegalStateException("chromium exited with " + process.exitValue() + " and no screenshot; its output: "
                    + Files.readString(log, StandardCharsets.UTF_8));
        }
        return ImageIO.read(png.toFile());
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
