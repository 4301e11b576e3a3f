package org.sparkbert.engine.hub;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.IOException;
import java.io.InputStream;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.TreeSet;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.sparkbert.engine.checkpoint.StoredTensor;

/**
 * A BERT encoder exported to ONNX (as torch.onnx / optimum export Hugging Face's BertModel) turned
 * back into Hugging Face BertModel tensors and config.json. Embeddings, LayerNorms and biases keep
 * their module names in such exports; the weight matrices are anonymous ({@code onnx::MatMul_787},
 * shape [in, out]): each feeds a MatMul whose output goes to an Add with a named bias, so the
 * weight takes the bias's module name and is transposed to Hugging Face's [out, in]. What the
 * tensors do not say (attention heads, LayerNorm epsilon, activation) is read from the graph.
 */
public final class OnnxBertImport {

    /** The imported model: Hugging Face BertModel tensor names (no prefix) and config.json. */
    public record Result(Map<String, StoredTensor> tensors, ObjectNode config, List<String> ignored) {}

    private static final ObjectMapper JSON = new ObjectMapper();
    private static final Pattern LAYER = Pattern.compile("^encoder\\.layer\\.(\\d+)\\.");
    private static final String[] PREFIXES = {"bert.", "model.", "transformer."};

    private final OnnxGraph graph;
    private final Map<String, StoredTensor> tensors = new TreeMap<>();
    private final List<String> ignored = new ArrayList<>();

    private OnnxBertImport(OnnxGraph graph) {
        this.graph = graph;
    }

    /** Reads an ONNX file and maps it; {@code source} names it in errors. */
    public static Result read(InputStream onnx, String source) throws IOException {
        return new OnnxBertImport(OnnxGraph.read(onnx, source)).convert();
    }

    private Result convert() {
        Map<String, OnnxTensor> initializers = graph.initializers();
        List<String> anonymous = new ArrayList<>();
        for (OnnxTensor t : initializers.values()) {
            String name = stripPrefix(t.name());
            if (t.floats() == null || t.isScalar()) {
                ignored.add(t.name()); // position_ids and shape constants: not weights
            } else if (name.endsWith(".weight") || name.endsWith(".bias")) {
                tensors.put(name, StoredTensor.f32(t.floats(), t.dims()));
            } else {
                anonymous.add(t.name());
            }
        }
        for (String name : anonymous) {
            nameMatrix(initializers.get(name));
        }
        ObjectNode config = config();
        return new Result(tensors, config, ignored);
    }

    /** Finds the Linear layer an anonymous matrix belongs to through MatMul (or Gemm) then Add(bias). */
    private void nameMatrix(OnnxTensor w) {
        for (OnnxGraph.Node use : graph.consumers(w.name())) {
            boolean matmul = use.op().equals("MatMul") && use.input(1).equals(w.name());
            boolean gemm = use.op().equals("Gemm") && use.input(1).equals(w.name());
            if (!matmul && !gemm) continue;
            String bias = gemm && !use.input(2).isEmpty()
                    ? use.input(2)
                    : biasAfter(use.outputs().get(0));
            if (bias == null) continue;
            String module = stripPrefix(bias).replaceFirst("\\.bias$", "");
            boolean transposed = gemm && transB(use);
            if (w.dims().length != 2) {
                throw new IllegalArgumentException(graph.source() + ": matrix " + w.name() + " for " + module
                        + " has shape " + Arrays.toString(w.dims()) + ", expected two dimensions");
            }
            StoredTensor weight = transposed ? StoredTensor.f32(w.floats(), w.dims()) : transpose(w);
            if (tensors.putIfAbsent(module + ".weight", weight) != null) {
                throw new IllegalArgumentException(graph.source() + ": two matrices map to " + module
                        + ".weight (one is " + w.name() + "); the graph is not a plain BERT export");
            }
            return;
        }
        throw new IllegalArgumentException(
                graph.source() + ": initialiser " + w.name() + " " + Arrays.toString(w.dims())
                        + " has no BERT name and feeds no MatMul followed by an Add with a named bias; "
                        + "export the model with torch.onnx.export (or optimum) without graph optimisations that fuse layers");
    }

    /** The named bias initialiser added to {@code value}, or null. */
    private String biasAfter(String value) {
        for (OnnxGraph.Node add : graph.consumers(value)) {
            if (!add.op().equals("Add")) continue;
            for (String in : add.inputs()) {
                OnnxTensor t = graph.initializers().get(in);
                if (!in.equals(value) && t != null && stripPrefix(in).endsWith(".bias")) return in;
            }
        }
        return null;
    }

    private static boolean transB(OnnxGraph.Node gemm) {
        var a = gemm.attributes().get("transB");
        return a != null && ((Long) a.getField(OnnxSchema.ATTRIBUTE.findFieldByName("i"))) != 0;
    }

    private ObjectNode config() {
        long[] words = require("embeddings.word_embeddings.weight").shape();
        int hidden = Math.toIntExact(words[1]);
        int layers = 0;
        for (String name : tensors.keySet()) {
            Matcher m = LAYER.matcher(name);
            if (m.find()) layers = Math.max(layers, Integer.parseInt(m.group(1)) + 1);
        }
        if (layers == 0) {
            throw new IllegalArgumentException(
                    graph.source() + ": no tensor named encoder.layer.N.*: not a BERT encoder export");
        }
        for (int l = 0; l < layers; l++) {
            for (String part : new String[] {
                "attention.self.query",
                "attention.self.key",
                "attention.self.value",
                "attention.output.dense",
                "intermediate.dense",
                "output.dense"
            }) {
                require("encoder.layer." + l + "." + part + ".weight");
            }
        }
        ObjectNode c = JSON.createObjectNode();
        c.putArray("architectures").add("BertModel");
        c.put("model_type", "bert");
        c.put("vocab_size", words[0]);
        c.put("hidden_size", hidden);
        c.put("num_hidden_layers", layers);
        c.put("num_attention_heads", attentionHeads(hidden));
        c.put(
                "intermediate_size",
                require("encoder.layer.0.intermediate.dense.bias").shape()[0]);
        c.put("hidden_act", activation());
        c.put("hidden_dropout_prob", 0.1);
        c.put("attention_probs_dropout_prob", 0.1);
        c.put(
                "max_position_embeddings",
                require("embeddings.position_embeddings.weight").shape()[0]);
        c.put(
                "type_vocab_size",
                require("embeddings.token_type_embeddings.weight").shape()[0]);
        c.put("initializer_range", 0.02);
        c.put("layer_norm_eps", Double.parseDouble(Float.toString(layerNormEps())));
        c.put("position_embedding_type", "absolute");
        c.put("torch_dtype", "float32");
        return c;
    }

    /**
     * The head count from the Reshape that splits hidden into (heads, head size): its target shape,
     * a constant or a Concat ending in constants, ends in two numbers whose product is hidden.
     */
    private int attentionHeads(int hidden) {
        TreeSet<Long> found = new TreeSet<>();
        for (OnnxGraph.Node node : graph.nodes()) {
            if (!node.op().equals("Reshape")) continue;
            long[] tail = shapeTail(node.input(1));
            int n = tail.length;
            if (n >= 2 && tail[n - 2] > 1 && tail[n - 1] > 1 && tail[n - 2] * tail[n - 1] == hidden) {
                found.add(tail[n - 2]);
            }
        }
        if (found.size() != 1) {
            throw new IllegalArgumentException(
                    graph.source() + ": cannot tell num_attention_heads from the graph (Reshapes to "
                            + "(heads, head size) with heads x head size = " + hidden + " give " + found + ")");
        }
        return Math.toIntExact(found.first());
    }

    /** The constant trailing values of a Reshape's target shape. */
    private long[] shapeTail(String shape) {
        OnnxTensor constant = graph.value(shape);
        if (constant != null) return constant.longs() == null ? new long[0] : constant.longs();
        OnnxGraph.Node concat = graph.producer(shape);
        if (concat == null || !concat.op().equals("Concat")) return new long[0];
        List<Long> tail = new ArrayList<>();
        for (int i = concat.inputs().size() - 1; i >= 0; i--) {
            OnnxTensor part = graph.value(concat.input(i));
            if (part == null || part.longs() == null) break;
            long[] values = part.longs();
            for (int j = values.length - 1; j >= 0; j--) tail.add(0, values[j]);
        }
        return tail.stream().mapToLong(Long::longValue).toArray();
    }

    /** gelu when the graph computes erf, gelu_new (tanh approximation) or relu otherwise. */
    private String activation() {
        boolean erf = false, tanh = false, relu = false;
        for (OnnxGraph.Node node : graph.nodes()) {
            switch (node.op()) {
                case "Erf", "Gelu" -> erf |= !node.attributes().containsKey("approximate");
                case "FastGelu" -> tanh = true;
                case "Tanh" -> tanh |= node.name().contains("intermediate");
                case "Relu" -> relu = true;
                default -> {}
            }
        }
        if (erf) return "gelu";
        if (tanh) return "gelu_new";
        if (relu) return "relu";
        throw new IllegalArgumentException(graph.source() + ": no activation (Erf, Gelu, Tanh or Relu) in the graph");
    }

    /** The epsilon of the LayerNorms: a LayerNormalization attribute, or the constant added to the variance. */
    private float layerNormEps() {
        for (OnnxGraph.Node node : graph.nodes()) {
            if (node.op().equals("LayerNormalization") && node.attributes().containsKey("epsilon")) {
                return (Float) node.attributes().get("epsilon").getField(OnnxSchema.ATTRIBUTE.findFieldByName("f"));
            }
            if (node.op().equals("Add")) {
                OnnxGraph.Node variance = graph.producer(node.input(0));
                OnnxTensor eps = graph.value(node.input(1));
                if (variance != null && variance.op().equals("ReduceMean") && eps != null && eps.isScalar()) {
                    return (float) eps.scalar();
                }
            }
        }
        return 1e-12f; // BERT's, when the graph spells LayerNorm in a way not recognised above
    }

    private StoredTensor require(String name) {
        StoredTensor t = tensors.get(name);
        if (t == null) {
            throw new IllegalArgumentException(
                    graph.source() + ": no tensor " + name + " (found " + tensors.size() + " BERT tensors, e.g. "
                            + tensors.keySet().stream().limit(5).toList() + "): not a BERT encoder export");
        }
        return t;
    }

    private static String stripPrefix(String name) {
        for (String p : PREFIXES) {
            if (name.startsWith(p)) return name.substring(p.length());
        }
        return name;
    }

    private static StoredTensor transpose(OnnxTensor w) {
        int rows = Math.toIntExact(w.dims()[0]);
        int cols = Math.toIntExact(w.dims()[1]);
        float[] in = w.floats();
        float[] out = new float[in.length];
        for (int r = 0; r < rows; r++) {
            for (int c = 0; c < cols; c++) {
                out[c * rows + r] = in[r * cols + c];
            }
        }
        return StoredTensor.f32(out, cols, rows);
    }
}
