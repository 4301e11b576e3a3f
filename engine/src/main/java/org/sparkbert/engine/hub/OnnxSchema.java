package org.sparkbert.engine.hub;

import com.google.protobuf.DescriptorProtos.DescriptorProto;
import com.google.protobuf.DescriptorProtos.FieldDescriptorProto;
import com.google.protobuf.DescriptorProtos.FieldDescriptorProto.Label;
import com.google.protobuf.DescriptorProtos.FieldDescriptorProto.Type;
import com.google.protobuf.DescriptorProtos.FileDescriptorProto;
import com.google.protobuf.Descriptors;
import com.google.protobuf.Descriptors.Descriptor;

/**
 * The part of onnx.proto (ONNX 1.x, field numbers as published) that an import reads, as protobuf
 * descriptors, so that protobuf-java's DynamicMessage parses a model file with no generated classes
 * and no protoc in the build. Fields left out (types of graph inputs, training info, functions, ...)
 * are kept by the parser as unknown fields and ignored.
 */
final class OnnxSchema {
    static final Descriptor MODEL;
    static final Descriptor GRAPH;
    static final Descriptor NODE;
    static final Descriptor ATTRIBUTE;
    static final Descriptor TENSOR;

    static {
        FileDescriptorProto file = FileDescriptorProto.newBuilder()
                .setName("onnx-subset.proto")
                .setPackage("onnx")
                .setSyntax("proto2")
                .addMessageType(message(
                        "OperatorSetIdProto",
                        field("domain", 1, Type.TYPE_STRING, Label.LABEL_OPTIONAL, null),
                        field("version", 2, Type.TYPE_INT64, Label.LABEL_OPTIONAL, null)))
                .addMessageType(message(
                        "ModelProto",
                        field("ir_version", 1, Type.TYPE_INT64, Label.LABEL_OPTIONAL, null),
                        field("producer_name", 2, Type.TYPE_STRING, Label.LABEL_OPTIONAL, null),
                        field("producer_version", 3, Type.TYPE_STRING, Label.LABEL_OPTIONAL, null),
                        field("graph", 7, Type.TYPE_MESSAGE, Label.LABEL_OPTIONAL, ".onnx.GraphProto"),
                        field("opset_import", 8, Type.TYPE_MESSAGE, Label.LABEL_REPEATED, ".onnx.OperatorSetIdProto")))
                .addMessageType(message(
                        "GraphProto",
                        field("node", 1, Type.TYPE_MESSAGE, Label.LABEL_REPEATED, ".onnx.NodeProto"),
                        field("name", 2, Type.TYPE_STRING, Label.LABEL_OPTIONAL, null),
                        field("initializer", 5, Type.TYPE_MESSAGE, Label.LABEL_REPEATED, ".onnx.TensorProto"),
                        field("input", 11, Type.TYPE_MESSAGE, Label.LABEL_REPEATED, ".onnx.ValueInfoProto"),
                        field("output", 12, Type.TYPE_MESSAGE, Label.LABEL_REPEATED, ".onnx.ValueInfoProto")))
                .addMessageType(
                        message("ValueInfoProto", field("name", 1, Type.TYPE_STRING, Label.LABEL_OPTIONAL, null)))
                .addMessageType(message(
                        "NodeProto",
                        field("input", 1, Type.TYPE_STRING, Label.LABEL_REPEATED, null),
                        field("output", 2, Type.TYPE_STRING, Label.LABEL_REPEATED, null),
                        field("name", 3, Type.TYPE_STRING, Label.LABEL_OPTIONAL, null),
                        field("op_type", 4, Type.TYPE_STRING, Label.LABEL_OPTIONAL, null),
                        field("attribute", 5, Type.TYPE_MESSAGE, Label.LABEL_REPEATED, ".onnx.AttributeProto"),
                        field("domain", 7, Type.TYPE_STRING, Label.LABEL_OPTIONAL, null)))
                .addMessageType(message(
                        "AttributeProto",
                        field("name", 1, Type.TYPE_STRING, Label.LABEL_OPTIONAL, null),
                        field("f", 2, Type.TYPE_FLOAT, Label.LABEL_OPTIONAL, null),
                        field("i", 3, Type.TYPE_INT64, Label.LABEL_OPTIONAL, null),
                        field("s", 4, Type.TYPE_BYTES, Label.LABEL_OPTIONAL, null),
                        field("t", 5, Type.TYPE_MESSAGE, Label.LABEL_OPTIONAL, ".onnx.TensorProto"),
                        field("floats", 7, Type.TYPE_FLOAT, Label.LABEL_REPEATED, null),
                        field("ints", 8, Type.TYPE_INT64, Label.LABEL_REPEATED, null),
                        field("type", 20, Type.TYPE_INT32, Label.LABEL_OPTIONAL, null)))
                .addMessageType(message(
                        "TensorProto",
                        field("dims", 1, Type.TYPE_INT64, Label.LABEL_REPEATED, null),
                        field("data_type", 2, Type.TYPE_INT32, Label.LABEL_OPTIONAL, null),
                        field("float_data", 4, Type.TYPE_FLOAT, Label.LABEL_REPEATED, null),
                        field("int32_data", 5, Type.TYPE_INT32, Label.LABEL_REPEATED, null),
                        field("int64_data", 7, Type.TYPE_INT64, Label.LABEL_REPEATED, null),
                        field("name", 8, Type.TYPE_STRING, Label.LABEL_OPTIONAL, null),
                        field("raw_data", 9, Type.TYPE_BYTES, Label.LABEL_OPTIONAL, null),
                        field("double_data", 10, Type.TYPE_DOUBLE, Label.LABEL_REPEATED, null),
                        field("data_location", 14, Type.TYPE_INT32, Label.LABEL_OPTIONAL, null)))
                .build();
        try {
            Descriptors.FileDescriptor fd =
                    Descriptors.FileDescriptor.buildFrom(file, new Descriptors.FileDescriptor[0]);
            MODEL = fd.findMessageTypeByName("ModelProto");
            GRAPH = fd.findMessageTypeByName("GraphProto");
            NODE = fd.findMessageTypeByName("NodeProto");
            ATTRIBUTE = fd.findMessageTypeByName("AttributeProto");
            TENSOR = fd.findMessageTypeByName("TensorProto");
        } catch (Descriptors.DescriptorValidationException e) {
            throw new IllegalStateException("the ONNX schema subset does not validate: " + e.getMessage(), e);
        }
    }

    private OnnxSchema() {}

    private static DescriptorProto message(String name, FieldDescriptorProto... fields) {
        DescriptorProto.Builder b = DescriptorProto.newBuilder().setName(name);
        for (FieldDescriptorProto f : fields) {
            b.addField(f);
        }
        return b.build();
    }

    private static FieldDescriptorProto field(String name, int number, Type type, Label label, String typeName) {
        FieldDescriptorProto.Builder b = FieldDescriptorProto.newBuilder()
                .setName(name)
                .setNumber(number)
                .setType(type)
                .setLabel(label);
        if (typeName != null) {
            b.setTypeName(typeName);
        }
        return b.build();
    }
}
