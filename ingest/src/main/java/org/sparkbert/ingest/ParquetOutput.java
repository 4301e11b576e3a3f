package org.sparkbert.ingest;

import java.io.IOException;
import java.io.Serializable;
import java.sql.Timestamp;
import java.util.Iterator;
import java.util.Locale;
import java.util.Map;
import org.apache.hadoop.conf.Configuration;
import org.apache.hadoop.fs.FileSystem;
import org.apache.hadoop.fs.Path;
import org.apache.parquet.hadoop.ParquetFileWriter;
import org.apache.parquet.hadoop.ParquetWriter;
import org.apache.parquet.hadoop.api.WriteSupport;
import org.apache.parquet.hadoop.metadata.CompressionCodecName;
import org.apache.parquet.io.api.Binary;
import org.apache.parquet.io.api.RecordConsumer;
import org.apache.parquet.schema.LogicalTypeAnnotation;
import org.apache.parquet.schema.MessageType;
import org.apache.parquet.schema.PrimitiveType.PrimitiveTypeName;
import org.apache.parquet.schema.Type;
import org.apache.parquet.schema.Types;
import org.apache.spark.TaskContext;
import org.apache.spark.api.java.JavaRDD;
import org.apache.spark.broadcast.Broadcast;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.catalyst.util.DateTimeUtils;
import org.apache.spark.sql.types.DataType;
import org.apache.spark.sql.types.DataTypes;
import org.apache.spark.sql.types.StructField;
import org.apache.spark.sql.types.StructType;
import org.sparkbert.ingest.read.HadoopConf;

/**
 * Writes a table of strings, longs and timestamps as Parquet, one file per partition, straight from
 * the executors with parquet-hadoop: the files Spark's own writer makes (the same Parquet types,
 * Spark's schema in the footer, the codec of {@code spark.sql.parquet.compression.codec}), without
 * Spark SQL. Its first query in a JVM costs more to initialise, plan, generate and compile than the
 * stage spends writing. A task attempt writes a temporary file and renames it into place, so a
 * retried task replaces, never doubles, its partition's file.
 */
final class ParquetOutput implements Serializable {
    private static final long serialVersionUID = 1L;
    private static final String TEMPORARY = "_temporary";

    private final StructType schema;
    private final String codec;

    /** @param codec Spark's name for the compression codec ({@code zstd}, {@code snappy}, {@code none}, ...) */
    ParquetOutput(StructType schema, String codec) {
        for (StructField f : schema.fields()) {
            DataType t = f.dataType();
            if (!t.equals(DataTypes.StringType)
                    && !t.equals(DataTypes.LongType)
                    && !t.equals(DataTypes.TimestampType)) {
                throw new IllegalArgumentException(
                        "Column " + f.name() + " is " + t + "; only strings, longs and timestamps are written.");
            }
        }
        this.schema = schema;
        this.codec = codec.equalsIgnoreCase("none") ? "uncompressed" : codec.toLowerCase(Locale.ROOT);
    }

    /** Writes the rows (in the schema's column order) under {@code dir}. */
    void write(JavaRDD<Row> rows, String dir, Broadcast<HadoopConf> conf) throws IOException {
        Path out = new Path(dir);
        FileSystem fs = out.getFileSystem(conf.value().get());
        fs.mkdirs(new Path(out, TEMPORARY));
        rows.foreachPartition(part ->
                writePart(TaskContext.getPartitionId(), part, dir, conf.value().get()));
        fs.delete(new Path(out, TEMPORARY), true);
        // Hadoop's output committer convention, which schedulers and other readers wait for.
        fs.create(new Path(out, "_SUCCESS"), true).close();
    }

    private void writePart(int index, Iterator<Row> part, String dir, Configuration conf) throws IOException {
        // Empty partitions write nothing, except the first, so that even an empty table has its schema.
        if (!part.hasNext() && index > 0) {
            return;
        }
        CompressionCodecName compression = CompressionCodecName.fromConf(codec);
        String name = String.format("part-%05d%s.parquet", index, compression.getExtension());
        Path temporary = new Path(
                new Path(dir, TEMPORARY), name + "-" + TaskContext.get().attemptNumber());
        try (ParquetWriter<Row> writer = new Builder(temporary, new RowWriteSupport(schema))
                .withConf(conf)
                .withCompressionCodec(compression)
                .withWriteMode(ParquetFileWriter.Mode.OVERWRITE)
                .build()) {
            while (part.hasNext()) {
                writer.write(part.next());
            }
        }
        Path target = new Path(dir, name);
        FileSystem fs = target.getFileSystem(conf);
        fs.delete(target, false);
        if (!fs.rename(temporary, target)) {
            throw new IOException("Cannot rename " + temporary + " to " + target);
        }
    }

    /** Parquet's type for each Spark column, as Spark writes it (timestamps as microseconds since the epoch, UTC). */
    private static MessageType parquetSchema(StructType schema) {
        Types.MessageTypeBuilder message = Types.buildMessage();
        for (StructField f : schema.fields()) {
            Type.Repetition repetition = f.nullable() ? Type.Repetition.OPTIONAL : Type.Repetition.REQUIRED;
            if (f.dataType().equals(DataTypes.StringType)) {
                message.primitive(PrimitiveTypeName.BINARY, repetition)
                        .as(LogicalTypeAnnotation.stringType())
                        .named(f.name());
            } else if (f.dataType().equals(DataTypes.LongType)) {
                message.primitive(PrimitiveTypeName.INT64, repetition).named(f.name());
            } else {
                message.primitive(PrimitiveTypeName.INT64, repetition)
                        .as(LogicalTypeAnnotation.timestampType(true, LogicalTypeAnnotation.TimeUnit.MICROS))
                        .named(f.name());
            }
        }
        return message.named("spark_schema");
    }

    private static final class RowWriteSupport extends WriteSupport<Row> {
        private final StructType schema;
        private RecordConsumer consumer;

        RowWriteSupport(StructType schema) {
            this.schema = schema;
        }

        @Override
        public WriteContext init(Configuration configuration) {
            // Spark restores its own schema (names, types, nullability) from this entry when it reads the files.
            return new WriteContext(
                    parquetSchema(schema), Map.of("org.apache.spark.sql.parquet.row.metadata", schema.json()));
        }

        @Override
        public void prepareForWrite(RecordConsumer recordConsumer) {
            consumer = recordConsumer;
        }

        @Override
        public void write(Row row) {
            consumer.startMessage();
            StructField[] fields = schema.fields();
            for (int i = 0; i < fields.length; i++) {
                Object v = row.get(i);
                if (v == null) {
                    continue;
                }
                consumer.startField(fields[i].name(), i);
                if (v instanceof String s) {
                    consumer.addBinary(Binary.fromString(s));
                } else if (v instanceof Timestamp t) {
                    consumer.addLong(DateTimeUtils.fromJavaTimestamp(t));
                } else {
                    consumer.addLong((Long) v);
                }
                consumer.endField(fields[i].name(), i);
            }
            consumer.endMessage();
        }
    }

    private static final class Builder extends ParquetWriter.Builder<Row, Builder> {
        private final WriteSupport<Row> writeSupport;

        Builder(Path path, WriteSupport<Row> writeSupport) {
            super(path);
            this.writeSupport = writeSupport;
        }

        @Override
        protected Builder self() {
            return this;
        }

        @Override
        protected WriteSupport<Row> getWriteSupport(Configuration conf) {
            return writeSupport;
        }
    }
}
