package org.sparkbert.job;

import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.concurrent.Callable;
import org.apache.hadoop.conf.Configuration;
import org.apache.spark.sql.SparkSession;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import picocli.CommandLine;
import picocli.CommandLine.Option;

/**
 * The life of every Spark stage, so that each stage only says what it computes: parse and check the
 * arguments and settings, refuse or skip an existing output, start Spark, run, write the report, move
 * the output into place. Exit codes: 0 done (or already done), 1 the job failed, 2 bad arguments,
 * settings or paths, with nothing written.
 */
@CommandLine.Command(
        mixinStandardHelpOptions = true,
        versionProvider = ProjectVersion.class,
        sortOptions = false,
        usageHelpAutoWidth = true)
public abstract class StageCommand implements Callable<Integer> {
    public static final int EXIT_OK = 0;
    public static final int EXIT_FAILED = 1;
    public static final int EXIT_USAGE = 2;

    protected final Logger log = LoggerFactory.getLogger(getClass());

    @Option(
            names = "--master",
            paramLabel = "URL",
            description =
                    "Spark master (local[N], spark://host:port, yarn, k8s://...). Default: what spark-submit set, else local[*].")
    protected String master;

    @Option(
            names = "--conf",
            paramLabel = "KEY=VALUE",
            description = "A setting: keys under 'spark.' go to Spark, any other key is a project setting from conf/.")
    protected List<String> conf = new ArrayList<>();

    @Option(
            names = "--settings",
            paramLabel = "FILE",
            description = "A properties file of settings (spark.* keys go to Spark), applied before --conf.")
    protected Path settingsFile;

    @Option(names = "--overwrite", description = "Replace an output path that holds something else.")
    protected boolean overwrite;

    @Option(names = "--verbose", description = "Show Spark's own logging.")
    protected boolean verbose;

    /** The stage's name as it appears in reports and on the command line. */
    protected abstract String stageName();

    /** The bundled {@code conf/} files whose keys this stage accepts. */
    protected abstract List<String> confFiles();

    /** The output directory argument. */
    protected abstract String outputPath();

    /**
     * The arguments that decide the output, in a stable form; they enter the fingerprint and the
     * report. By default every option of the stage's own (the common options above are not), read
     * from the picocli spec, so an option added to a stage enters its fingerprint without a list to
     * keep in step; a stage names what does not decide its output in {@link #notInFingerprint()}.
     */
    protected Map<String, Object> arguments() {
        Map<String, Object> values = new TreeMap<>();
        for (CommandLine.Model.OptionSpec option : spec.options()) {
            String name = option.longestName();
            if (COMMON_OPTIONS.contains(name)
                    || option.usageHelp()
                    || option.versionHelp()
                    || notInFingerprint().contains(name)
                    || option.getValue() == null) {
                continue;
            }
            Object value = option.getValue();
            values.put(name.replaceFirst("^-+", "").replace('-', '_'), value instanceof Path p ? p.toString() : value);
        }
        return values;
    }

    /** Options of this stage that do not decide its output (such as where to resume from). */
    protected Set<String> notInFingerprint() {
        return Set.of();
    }

    private static final Set<String> COMMON_OPTIONS =
            Set.of("--master", "--conf", "--settings", "--overwrite", "--verbose");

    /** This command as picocli parsed it. */
    @CommandLine.Spec
    protected CommandLine.Model.CommandSpec spec;

    /** Checks the inputs before anything starts; throws {@link UsageException} naming what is wrong. */
    protected void validate(Settings settings, Configuration hadoopConf) {}

    /**
     * Why a complete output with these arguments and settings is no longer what they would produce
     * (its inputs changed since, say), or null when it still is. A stage that records its inputs checks
     * them here; the run then refuses (exit 2) with this message, or replaces the output under
     * {@code --overwrite}.
     */
    protected String staleness(StageOutput output, Configuration hadoopConf) {
        return null;
    }

    /** Computes the output into {@code output.work()}, adding counters to the report. */
    protected abstract void run(SparkSession spark, Settings settings, StageOutput output, StageReport report)
            throws Exception;

    @Override
    public final Integer call() throws Exception {
        Map<String, String> sparkConf = new TreeMap<>(Settings.sparkSettingsIn(settingsFile));
        Map<String, String> projectConf = new TreeMap<>();
        splitConf(conf, sparkConf, projectConf);
        Settings settings = Settings.load(confFiles(), settingsFile, projectConf);

        Configuration hadoopConf = new Configuration();
        sparkConf.forEach((k, v) -> {
            if (k.startsWith("spark.hadoop.")) {
                hadoopConf.set(k.substring("spark.hadoop.".length()), v);
            }
        });
        validate(settings, hadoopConf);

        String fingerprint = fingerprint(stageName(), arguments(), settings.asMap());
        StageOutput output = StageOutput.at(outputPath(), hadoopConf);
        output.settleInterruptedCommit();
        StageOutput.State state = output.state(stageName(), fingerprint);
        String stale = state == StageOutput.State.COMPLETE_SAME ? staleness(output, hadoopConf) : null;
        if (stale != null && !overwrite) {
            throw new UsageException(stale);
        }
        if (state == StageOutput.State.COMPLETE_SAME && stale == null) {
            log.info(
                    "{}: {} already holds the complete output of this stage with these settings; nothing to do.",
                    stageName(),
                    output.path());
            System.out.println(stageName() + ": output " + output.path() + " is already complete; nothing to do.");
            return EXIT_OK;
        }
        if (state == StageOutput.State.INCOMPLETE && !overwrite) {
            throw new UsageException("Output path " + output.path()
                    + " holds this stage's output with these arguments and" + " settings, but it is damaged: "
                    + output.incompleteBecause() + ". Pass --overwrite to redo it.");
        }
        if (state == StageOutput.State.OTHER && !overwrite) {
            throw new UsageException(
                    "Output path " + output.path() + " already holds something that is not this stage's"
                            + " complete output with these arguments and settings. Choose another --output, or pass --overwrite"
                            + " to replace it.");
        }

        SparkSession spark = SparkSessions.start("sparkbert " + stageName(), master, sparkConf, verbose);
        StageReport report = new StageReport(stageName(), fingerprint, arguments(), settings.asMap());
        output.removeStaleWorkDirectories();
        try {
            output.begin();
            run(spark, settings, output, report);
            if (!output.commit(report, overwrite)) {
                output.abandon();
                log.info(
                        "{}: a concurrent run committed the same output first; keeping its output at {}",
                        stageName(),
                        output.path());
                return EXIT_OK;
            }
        } catch (Exception | Error e) {
            output.abandon();
            throw e;
        }
        log.info("{}: done, output at {}", stageName(), output.path());
        return EXIT_OK;
    }

    static void splitConf(List<String> pairs, Map<String, String> spark, Map<String, String> project) {
        for (String pair : pairs) {
            int eq = pair.indexOf('=');
            if (eq <= 0) {
                throw new UsageException("--conf takes KEY=VALUE, got '" + pair + "'.");
            }
            String key = pair.substring(0, eq).trim();
            String value = pair.substring(eq + 1).trim();
            (key.startsWith("spark.") ? spark : project).put(key, value);
        }
    }

    public static String fingerprint(String stage, Map<String, Object> arguments, Map<String, String> settings) {
        Map<String, Object> all = new LinkedHashMap<>();
        all.put("stage", stage);
        all.put("arguments", new TreeMap<>(arguments));
        all.put("settings", new TreeMap<>(settings));
        try {
            MessageDigest sha = MessageDigest.getInstance("SHA-256");
            return HexFormat.of().formatHex(sha.digest(all.toString().getBytes(StandardCharsets.UTF_8)));
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }

    /**
     * Runs a command line and returns the exit code, mapping a usage problem to 2 and a failure to 1
     * with a message on standard error. Tests call this; {@link #main} calls it and exits.
     */
    public static int execute(StageCommand command, String... args) {
        CommandLine cli = new CommandLine(command);
        cli.setExecutionExceptionHandler((e, commandLine, parseResult) -> {
            Throwable cause = e;
            if (cause instanceof UsageException) {
                System.err.println(command.stageName() + ": " + cause.getMessage());
                return EXIT_USAGE;
            }
            System.err.println(command.stageName() + ": the job failed: " + describe(cause));
            LoggerFactory.getLogger(command.getClass()).error("{} failed", command.stageName(), cause);
            return EXIT_FAILED;
        });
        cli.setParameterExceptionHandler((e, a) -> {
            System.err.println(command.stageName() + ": " + e.getMessage());
            System.err.println("Run with --help for the usage.");
            return EXIT_USAGE;
        });
        return cli.execute(args);
    }

    private static String describe(Throwable t) {
        StringBuilder sb = new StringBuilder(String.valueOf(t.getMessage()));
        Throwable c = t.getCause();
        while (c != null && c != t) {
            sb.append(" <- ").append(c.getMessage());
            t = c;
            c = c.getCause();
        }
        return sb.toString();
    }

    /** Entry point shared by the stages' {@code main} methods: runs, stops Spark, exits with the code. */
    public static void main(StageCommand command, String[] args) {
        int code = execute(command, args);
        SparkSessions.stopIfStarted();
        System.exit(code);
    }
}
