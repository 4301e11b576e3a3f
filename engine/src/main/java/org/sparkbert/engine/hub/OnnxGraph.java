package org.sparkbert.engine.hub;

import com.google.protobuf.CodedInputStream;
import com.google.protobuf.DynamicMessage;
import com.google.protobuf.InvalidProtocolBufferException;
import com.google.protobuf.Message;
import java.io.IOException;
import java.io.InputStream;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * An ONNX model's graph, parsed with protobuf-java against {@link OnnxSchema}: its nodes in file
 * (topological) order, its initialisers and Constant values by name, and which node makes and which
 * nodes read each value.
 */
final class OnnxGraph {

    /** One node: operator, name, input and output value names, attributes by name. */
    record Node(
            String op, String name, List<String> inputs, List<String> outputs, Map<String, DynamicMessage> attributes) {
        String input(int i) {
            return i < inputs.size() ? inputs.get(i) : "";
        }
    }

    private final String source;
    private final List<Node> nodes = new ArrayList<>();
    private final Map<String, OnnxTensor> initializers = new LinkedHashMap<>();
    private final Map<String, OnnxTensor> constants = new HashMap<>();
    private final Map<String, Node> producers = new HashMap<>();
    private final Map<String, List<Node>> consumers = new HashMap<>();
    private final List<String> outputs = new ArrayList<>();

    private OnnxGraph(String source) {
        this.source = source;
    }

    static OnnxGraph read(InputStream stream, String source) throws IOException {
        DynamicMessage model;
        try {
            CodedInputStream coded = CodedInputStream.newInstance(stream);
            coded.setSizeLimit(Integer.MAX_VALUE); // initialisers of a real model exceed the 64 MiB default
            model = DynamicMessage.parseFrom(OnnxSchema.MODEL, coded);
        } catch (InvalidProtocolBufferException e) {
            throw new IOException(source + " is not an ONNX model (protobuf ModelProto): " + e.getMessage(), e);
        }
        if (!model.hasField(OnnxSchema.MODEL.findFieldByName("graph"))) {
            throw new IOException(source + " holds no graph: not an ONNX model file");
        }
        DynamicMessage graph = (DynamicMessage) model.getField(OnnxSchema.MODEL.findFieldByName("graph"));
        OnnxGraph g = new OnnxGraph(source);
        for (Object t : list(graph, "initializer")) {
            OnnxTensor tensor = OnnxTensor.decode((DynamicMessage) t, "", source);
            g.initializers.put(tensor.name(), tensor);
        }
        for (Object o : list(graph, "output")) {
            g.outputs.add(string((DynamicMessage) o, "name"));
        }
        for (Object n : list(graph, "node")) {
            DynamicMessage node = (DynamicMessage) n;
            Map<String, DynamicMessage> attributes = new LinkedHashMap<>();
            for (Object a : list(node, "attribute")) {
                attributes.put(string((DynamicMessage) a, "name"), (DynamicMessage) a);
            }
            Node parsed = new Node(
                    string(node, "op_type"),
                    string(node, "name"),
                    strings(node, "input"),
                    strings(node, "output"),
                    attributes);
            g.nodes.add(parsed);
            for (String out : parsed.outputs()) {
                g.producers.put(out, parsed);
            }
            for (String in : parsed.inputs()) {
                g.consumers.computeIfAbsent(in, k -> new ArrayList<>()).add(parsed);
            }
            if (parsed.op().equals("Constant") && attributes.containsKey("value")) {
                DynamicMessage value =
                        (DynamicMessage) attributes.get("value").getField(OnnxSchema.ATTRIBUTE.findFieldByName("t"));
                String out = parsed.outputs().get(0);
                g.constants.put(out, OnnxTensor.decode(value, out, source));
            }
        }
        return g;
    }

    String source() {
        return source;
    }

    List<Node> nodes() {
        return nodes;
    }

    List<String> outputs() {
        return outputs;
    }

    Map<String, OnnxTensor> initializers() {
        return initializers;
    }

    /** An initialiser or a Constant node's value by name, or null when the value is computed. */
    OnnxTensor value(String name) {
        OnnxTensor t = initializers.get(name);
        return t != null ? t : constants.get(name);
    }

    Node producer(String value) {
        return producers.get(value);
    }

    List<Node> consumers(String value) {
        return consumers.getOrDefault(value, List.of());
    }

    static List<?> list(Message m, String field) {
        return (List<?>) m.getField(m.getDescriptorForType().findFieldByName(field));
    }

    static String string(Message m, String field) {
        return (String) m.getField(m.getDescriptorForType().findFieldByName(field));
    }

    static int integer(Message m, String field) {
        return (Integer) m.getField(m.getDescriptorForType().findFieldByName(field));
    }

    private static List<String> strings(Message m, String field) {
        List<String> out = new ArrayList<>();
        for (Object o : list(m, field)) out.add((String) o);
        return out;
    }
}
