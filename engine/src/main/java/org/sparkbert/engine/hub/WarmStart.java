package org.sparkbert.engine.hub;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.function.Predicate;
import org.sparkbert.engine.checkpoint.StoredTensor;
import org.sparkbert.engine.model.BertModel;
import org.sparkbert.engine.model.Parameter;

/**
 * Copies a pretrained model's tensors into a freshly initialised engine model. The pooler and the
 * heads (MLM transform, NSP/SOP classifier) may be missing and then keep their fresh values; a
 * missing encoder tensor, a shape that differs, or a stored tensor that is neither in the model nor
 * one of its optional heads is an error naming it, so nothing is ever silently left random.
 */
public final class WarmStart {

    /** What happened to each tensor: copied, kept fresh (missing head, or asked to), stored but unused (a head this model lacks). */
    public record Applied(List<String> loaded, List<String> fresh, List<String> unused) {}

    private WarmStart() {}

    /**
     * Copies {@code weights} (engine names) from {@code source} into {@code model}, except the
     * parameters {@code keepFresh} names (a new task's classifier, or all of them for a random baseline).
     */
    public static Applied apply(
            BertModel model, Map<String, StoredTensor> weights, String source, Predicate<String> keepFresh) {
        List<String> loaded = new ArrayList<>();
        List<String> fresh = new ArrayList<>();
        Set<String> used = new HashSet<>();
        for (Parameter p : model.parameters()) {
            StoredTensor t = weights.get(p.name());
            if (t != null) used.add(p.name());
            if (keepFresh.test(p.name())) {
                fresh.add(p.name());
                continue;
            }
            if (t == null) {
                if (!PretrainedModel.isHead(p.name())) {
                    throw new IllegalArgumentException(
                            source + " has no tensor " + p.name() + ", which the encoder needs: "
                                    + "the directory does not hold a model of this configuration");
                }
                fresh.add(p.name());
                continue;
            }
            long[] expected = Arrays.stream(p.shape()).asLongStream().toArray();
            if (!Arrays.equals(expected, t.shape())) {
                throw new IllegalArgumentException(source + ": tensor " + p.name() + " has shape "
                        + Arrays.toString(t.shape()) + ", the model needs " + Arrays.toString(p.shape()));
            }
            model.write(p, t.floats());
            loaded.add(p.name());
        }
        List<String> unused = new ArrayList<>();
        for (String name : weights.keySet()) {
            if (used.contains(name)) continue;
            if (!PretrainedModel.isHead(name)) {
                throw new IllegalArgumentException(
                        source + ": unknown tensor " + name + ", which a model of this configuration "
                                + "does not have (another architecture, or more layers than config.json says)");
            }
            unused.add(name);
        }
        return new Applied(loaded, fresh, unused);
    }
}
