package org.sparkbert.evaluate.report;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.util.LinkedHashMap;
import java.util.Map;
import org.apache.hadoop.conf.Configuration;
import org.apache.hadoop.fs.FSDataOutputStream;
import org.apache.hadoop.fs.FileSystem;
import org.apache.hadoop.fs.Path;

/**
 * Writes report.md, report.html and report.json into an output directory (any Hadoop FileSystem).
 * All three are rendered before the first is written, so a rendering failure leaves no partial report.
 */
public final class ReportWriter {
    public static final String MARKDOWN = "report.md";
    public static final String HTML = "report.html";
    public static final String JSON = "report.json";

    private ReportWriter() {}

    public static void write(RunReport report, String outputDir, Configuration conf) throws IOException {
        Map<String, String> files = new LinkedHashMap<>();
        files.put(MARKDOWN, ReportMarkdown.render(report));
        files.put(HTML, ReportHtml.render(report));
        files.put(JSON, ReportJson.render(report));
        Path output = new Path(outputDir);
        FileSystem fs = output.getFileSystem(conf);
        fs.mkdirs(output);
        for (Map.Entry<String, String> file : files.entrySet()) {
            try (FSDataOutputStream out = fs.create(new Path(output, file.getKey()), true)) {
                out.write(file.getValue().getBytes(StandardCharsets.UTF_8));
            }
        }
    }
}
