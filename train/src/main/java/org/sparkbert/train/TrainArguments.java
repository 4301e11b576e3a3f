package org.sparkbert.train;

import java.nio.file.Files;
import java.util.Set;
import org.sparkbert.engine.model.ModelConfig;
import org.sparkbert.engine.optim.AdamMoments;
import org.sparkbert.job.UsageException;
import picocli.CommandLine.Option;

/**
 * The train stage's options. Which of them decide the weights is derived: all but {@link
 * #INFORMATIONAL} (and --resume, which only says where to continue from), so a new option decides
 * the result, enters the fingerprint and is checked on resume unless it is listed here.
 */
public final class TrainArguments {

    /** Where the run writes is no part of its state: the same training elsewhere writes the same checkpoints. */
    static final Set<String> NOT_RECORDED = Set.of("output");

    /** Options that do not change the weights a run ends with: where things are, how it runs, what it logs. */
    static final Set<String> INFORMATIONAL = Set.of(
            "data",
            "vocab",
            "model",
            "backend",
            "device",
            "threads",
            "replicas",
            "allreduce",
            "eval_data",
            "eval_every",
            "log_every",
            "checkpoint_every",
            "checkpoint_minutes",
            "keep_checkpoints");

    @Option(
            names = "--data",
            required = true,
            paramLabel = "INSTANCES_DIR",
            description = "The instances stage's output.")
    String data;

    @Option(
            names = "--vocab",
            required = true,
            paramLabel = "VOCAB_DIR",
            description = "The vocabulary the instances were built with.")
    String vocab;

    @Option(
            names = "--model",
            paramLabel = "FILE",
            description =
                    "A model configuration: a file such as conf/models/bert-mini.conf, or a bundled name (bert-mini)."
                            + " Required unless --init-from gives the architecture.")
    String model;

    @Option(
            names = "--init-from",
            paramLabel = "DIR",
            description = "Start a new run from these weights: a sparkbert checkpoint or a Hugging Face BERT directory"
                    + " (config.json + model.safetensors). Its config.json gives the architecture, the instances the"
                    + " objective; heads it lacks start fresh. Steps, schedule and optimiser state are this run's.")
    String initFrom;

    @Option(names = "--output", required = true, paramLabel = "RUN_DIR", description = "The run directory.")
    String output;

    @Option(names = "--steps", required = true, paramLabel = "N", description = "Optimiser steps.")
    long steps;

    @Option(
            names = "--batch-size",
            defaultValue = "32",
            paramLabel = "N",
            description =
                    "Sequences per optimiser step (split into --accumulate micro-batches). Default: ${DEFAULT-VALUE}.")
    int batchSize;

    @Option(
            names = "--lr",
            defaultValue = "1e-4",
            paramLabel = "RATE",
            description = "Peak learning rate. Default: ${DEFAULT-VALUE}.")
    float lr;

    @Option(
            names = "--warmup-steps",
            paramLabel = "N",
            description = "Steps of linear warm-up before the linear decay to 0. Default: 1%% of --steps.")
    Long warmupSteps;

    @Option(
            names = "--optimizer",
            defaultValue = "adamw",
            paramLabel = "NAME",
            description = "adamw, lamb, sgd, nesterov, adagrad or adadelta. Default: ${DEFAULT-VALUE}.")
    String optimizer;

    @Option(
            names = "--weight-decay",
            defaultValue = "0.01",
            paramLabel = "W",
            description = "Decoupled weight decay (not on biases and LayerNorm). Default: ${DEFAULT-VALUE}.")
    float weightDecay;

    @Option(
            names = "--adam-beta1",
            defaultValue = "0.9",
            paramLabel = "B",
            description = "adamw and lamb: decay of the first-moment estimate. Default: ${DEFAULT-VALUE}.")
    float adamBeta1;

    @Option(
            names = "--adam-beta2",
            defaultValue = "0.999",
            paramLabel = "B",
            description =
                    "adamw and lamb: decay of the second-moment estimate (0.98 suits short runs: RoBERTa, cramming)."
                            + " Default: ${DEFAULT-VALUE}.")
    float adamBeta2;

    @Option(
            names = "--adam-eps",
            defaultValue = "1e-6",
            paramLabel = "EPS",
            description = "adamw and lamb: added to the root of the second moment. Default: ${DEFAULT-VALUE}.")
    float adamEps;

    @Option(
            names = "--accumulate",
            defaultValue = "1",
            paramLabel = "N",
            description = "Micro-batches whose gradients make one step. Default: ${DEFAULT-VALUE}.")
    int accumulate;

    @Option(
            names = "--clip-norm",
            defaultValue = "1.0",
            paramLabel = "NORM",
            description = "Global gradient-norm clipping (0: none). Default: ${DEFAULT-VALUE}.")
    float clipNorm;

    @Option(
            names = "--max-predictions",
            paramLabel = "N",
            description = "Most masked positions per sequence. Default: masking.max_predictions_per_seq.")
    Integer maxPredictions;

    @Option(
            names = "--backend",
            defaultValue = "cpu",
            paramLabel = "NAME",
            description = "Compute backend: cpu, opencl (Aparapi kernels on --device) or auto (the first OpenCL GPU,"
                    + " else cpu). Default: ${DEFAULT-VALUE}.")
    String backend;

    @Option(
            names = "--device",
            defaultValue = "auto",
            paramLabel = "INDEX|NAME",
            description = "OpenCL device for --backend opencl|auto: an index, part of a name, or auto (the first GPU,"
                    + " else the first OpenCL device). Default: ${DEFAULT-VALUE}.")
    String device;

    @Option(names = "--threads", paramLabel = "N", description = "Compute threads. Default: the machine's cores.")
    Integer threads;

    @Option(
            names = "--seed",
            defaultValue = "42",
            paramLabel = "N",
            description = "Seed of the initial weights, the data order and dropout. Default: ${DEFAULT-VALUE}.")
    long seed;

    @Option(
            names = "--eval-data",
            paramLabel = "INSTANCES_DIR",
            description =
                    "Score held-out masked-LM loss and accuracy on this instances output's validation/ split (masks"
                            + " frozen), beside the unigram and two-neighbour count baselines on the same positions.")
    String evalData;

    @Option(
            names = "--eval-every",
            defaultValue = "0",
            paramLabel = "K",
            description = "With --eval-data: score every K steps as well as after the last (0: after the last only)."
                    + " Default: ${DEFAULT-VALUE}.")
    long evalEvery;

    @Option(
            names = "--log-every",
            defaultValue = "50",
            paramLabel = "N",
            description = "Steps per progress line and metrics.jsonl record. Default: ${DEFAULT-VALUE}.")
    int logEvery;

    @Option(
            names = "--checkpoint-every",
            defaultValue = "0",
            paramLabel = "K",
            description = "Write a checkpoint every K steps as well as at the end (0: only at the end)."
                    + " Default: ${DEFAULT-VALUE}.")
    long checkpointEvery;

    @Option(
            names = "--checkpoint-minutes",
            defaultValue = "10",
            paramLabel = "M",
            description = "Also write a checkpoint every M minutes of training, so a lost executor costs at most that"
                    + " (0: none by time). Default: ${DEFAULT-VALUE}.")
    double checkpointMinutes;

    @Option(
            names = "--keep-checkpoints",
            defaultValue = "3",
            paramLabel = "M",
            description = "Keep the newest M checkpoints, deleting older ones. Default: ${DEFAULT-VALUE}.")
    int keepCheckpoints;

    @Option(
            names = "--resume",
            defaultValue = "auto",
            paramLabel = "auto|never|PATH",
            description = "auto: continue from the newest valid checkpoint of an earlier failed run of this RUN_DIR;"
                    + " never: start afresh (deleting those); PATH: continue from that checkpoint directory."
                    + " Default: ${DEFAULT-VALUE}.")
    String resume;

    @Option(
            names = "--replicas",
            paramLabel = "N",
            description = "Train N model replicas as Spark tasks (synchronous data parallelism, gradients summed every"
                    + " step; --batch-size is the global batch). Default: one replica in the driver.")
    Integer replicas;

    @Option(
            names = "--allreduce",
            defaultValue = "ring",
            paramLabel = "ring|tree",
            description = "With --replicas: ring (one barrier stage, TCP ring all-reduce) or tree (driver broadcast and"
                    + " treeAggregate per step). Default: ${DEFAULT-VALUE}.")
    String allreduce;

    /** The options' ranges and their relations, each failure naming the options. */
    void checkRanges() {
        if (steps < 1 || batchSize < 1 || accumulate < 1 || logEvery < 1) {
            throw new UsageException("--steps, --batch-size, --accumulate and --log-every must be at least 1");
        }
        if (batchSize % accumulate != 0) {
            throw new UsageException("--batch-size " + batchSize + " is not a multiple of --accumulate " + accumulate);
        }
        if (warmup() > steps) throw new UsageException("--warmup-steps " + warmup() + " exceeds --steps " + steps);
        if (maxPredictions != null && maxPredictions < 1)
            throw new UsageException("--max-predictions must be at least 1");
        if (evalEvery < 0) throw new UsageException("--eval-every must be at least 0");
        if (checkpointEvery < 0 || !(checkpointMinutes >= 0) || keepCheckpoints < 1) {
            throw new UsageException(
                    "--checkpoint-every and --checkpoint-minutes must be at least 0 and --keep-checkpoints"
                            + " at least 1");
        }
    }

    /** The Adam moments of --adam-beta1, --adam-beta2 and --adam-eps. */
    AdamMoments adamMoments() {
        try {
            return new AdamMoments(adamBeta1, adamBeta2, adamEps);
        } catch (IllegalArgumentException e) {
            throw new UsageException("--adam-beta1, --adam-beta2, --adam-eps: " + e.getMessage());
        }
    }

    long warmup() {
        return warmupSteps != null ? warmupSteps : defaultWarmup(steps);
    }

    /** --warmup-steps when not given: 1% of --steps. */
    static long defaultWarmup(long steps) {
        return steps / 100;
    }

    int threadCount() {
        return threads != null ? threads : Runtime.getRuntime().availableProcessors();
    }

    /** The --model file, or a bundled configuration of that name. */
    ModelConfig modelConfig() {
        java.nio.file.Path file = java.nio.file.Path.of(model);
        try {
            if (Files.isRegularFile(file)) {
                return ModelConfig.load(file);
            }
            return ModelConfig.bundled(file.getFileName().toString().replaceFirst("\\.conf$", ""));
        } catch (IllegalArgumentException e) {
            throw new UsageException("--model " + model + ": " + e.getMessage());
        }
    }
}
