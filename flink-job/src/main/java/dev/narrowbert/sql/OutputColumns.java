package dev.narrowbert.sql;

import dev.narrowbert.inference.Analysis;
import dev.narrowbert.inference.AnalysisPart;
import dev.narrowbert.inference.Entity;
import java.io.Serializable;
import java.util.ArrayList;
import java.util.EnumSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.stream.Collectors;
import org.apache.flink.table.api.ValidationException;
import org.apache.flink.table.catalog.Column;
import org.apache.flink.table.catalog.ResolvedCatalogModel;
import org.apache.flink.table.catalog.ResolvedSchema;
import org.apache.flink.table.data.GenericArrayData;
import org.apache.flink.table.data.GenericRowData;
import org.apache.flink.table.data.RowData;
import org.apache.flink.table.data.StringData;
import org.apache.flink.table.types.logical.ArrayType;
import org.apache.flink.table.types.logical.LogicalType;
import org.apache.flink.table.types.logical.LogicalTypeRoot;
import org.apache.flink.table.types.logical.RowType;

/**
 * The columns a {@code narrowbert} model declares ({@code CREATE MODEL ... INPUT (...) OUTPUT
 * (...)}), checked against what the model can produce, and the writer of its output rows.
 *
 * <p>Input: one text column ({@code STRING}, {@code VARCHAR(n)} or {@code CHAR(n)}). Output: any
 * subset, in any order, of the {@link Output}s; {@code entities} may declare any subset of its
 * fields. Only the {@link AnalysisPart}s the declared columns need are computed. Output columns
 * must be nullable: a row that is not analysed (see {@link BatchingPredictFunction}) has NULL in
 * every output column.
 */
public final class OutputColumns implements Serializable {
  private static final long serialVersionUID = 1L;

  /** An output column the model can fill. */
  public enum Output {
    SENTIMENT("sentiment", "STRING", AnalysisPart.SENTIMENT),
    SENTIMENT_PROBABILITY("sentiment_probability", "FLOAT", AnalysisPart.SENTIMENT),
    ENTITIES(
        "entities",
        "ARRAY<ROW<`text` STRING, `type` STRING, `start` INT, `end` INT, score FLOAT>>",
        AnalysisPart.ENTITIES),
    EMBEDDING("embedding", "ARRAY<FLOAT>", AnalysisPart.EMBEDDING),
    TOKENS("tokens", "INT", null),
    TRUNCATED("truncated", "BOOLEAN", null);

    final String column;
    final String sqlType;
    final AnalysisPart part;

    Output(String column, String sqlType, AnalysisPart part) {
      this.column = column;
      this.sqlType = sqlType;
      this.part = part;
    }
  }

  /** A field of an entity row. */
  enum EntityField {
    TEXT("text", LogicalTypeRoot.VARCHAR),
    TYPE("type", LogicalTypeRoot.VARCHAR),
    START("start", LogicalTypeRoot.INTEGER),
    END("end", LogicalTypeRoot.INTEGER),
    SCORE("score", LogicalTypeRoot.FLOAT);

    final String field;
    final LogicalTypeRoot root;

    EntityField(String field, LogicalTypeRoot root) {
      this.field = field;
      this.root = root;
    }
  }

  private final Output[] outputs;
  private final EntityField[] entityFields;

  private OutputColumns(Output[] outputs, EntityField[] entityFields) {
    this.outputs = outputs;
    this.entityFields = entityFields;
  }

  /**
   * Checks a model's input and output schema.
   *
   * @throws ValidationException naming the column and what is expected
   */
  public static OutputColumns of(ResolvedCatalogModel model) {
    return of(model.getResolvedInputSchema(), model.getResolvedOutputSchema());
  }

  static OutputColumns of(ResolvedSchema input, ResolvedSchema output) {
    checkInput(input);
    List<Output> outputs = new ArrayList<>();
    EntityField[] entityFields = new EntityField[0];
    for (Column column : output.getColumns()) {
      Output known = byName(column.getName());
      LogicalType type = column.getDataType().getLogicalType();
      if (!type.isNullable()) {
        throw new ValidationException(
            "narrowbert model: output column '"
                + column.getName()
                + "' must be nullable (drop NOT NULL): rows with NULL, blank or too long text get"
                + " NULL in every output column");
      }
      if (known == Output.ENTITIES) {
        entityFields = entityFields(type);
      } else if (!sameShape(type, known)) {
        throw wrongType(known, type);
      }
      outputs.add(known);
    }
    return new OutputColumns(outputs.toArray(new Output[0]), entityFields);
  }

  /** What the model must compute for these columns. */
  public Set<AnalysisPart> parts() {
    Set<AnalysisPart> parts = EnumSet.noneOf(AnalysisPart.class);
    for (Output output : outputs) {
      if (output.part != null) {
        parts.add(output.part);
      }
    }
    return parts;
  }

  /** The output row for one analysed text. */
  public RowData row(Analysis analysis) {
    GenericRowData row = new GenericRowData(outputs.length);
    for (int i = 0; i < outputs.length; i++) {
      row.setField(i, value(outputs[i], analysis));
    }
    return row;
  }

  /** The output row for a text that is not analysed: NULL in every column. */
  public RowData nullRow() {
    return new GenericRowData(outputs.length);
  }

  private Object value(Output output, Analysis analysis) {
    return switch (output) {
      case SENTIMENT -> StringData.fromString(analysis.sentiment());
      case SENTIMENT_PROBABILITY ->
          analysis.sentimentProbabilities().getOrDefault(analysis.sentiment(), 0f);
      case ENTITIES -> entities(analysis.entities());
      case EMBEDDING -> new GenericArrayData(analysis.embedding());
      case TOKENS -> analysis.tokenCount();
      case TRUNCATED -> analysis.truncated();
    };
  }

  private GenericArrayData entities(List<Entity> entities) {
    Object[] rows = new Object[entities.size()];
    for (int e = 0; e < rows.length; e++) {
      Entity entity = entities.get(e);
      GenericRowData row = new GenericRowData(entityFields.length);
      for (int f = 0; f < entityFields.length; f++) {
        row.setField(
            f,
            switch (entityFields[f]) {
              case TEXT -> StringData.fromString(entity.text());
              case TYPE -> StringData.fromString(entity.type());
              case START -> entity.start();
              case END -> entity.end();
              case SCORE -> entity.score();
            });
      }
      rows[e] = row;
    }
    return new GenericArrayData(rows);
  }

  private static void checkInput(ResolvedSchema input) {
    List<Column> columns = input.getColumns();
    if (columns.size() != 1 || !isText(columns.get(0).getDataType().getLogicalType())) {
      throw new ValidationException(
          "narrowbert model: INPUT must be one text column, e.g. INPUT (text STRING); got "
              + input.getColumns().stream()
                  .map(Column::toString)
                  .collect(Collectors.joining(", ", "(", ")")));
    }
  }

  private static Output byName(String name) {
    for (Output output : Output.values()) {
      if (output.column.equals(name)) {
        return output;
      }
    }
    throw new ValidationException(
        "narrowbert model: unknown output column '" + name + "'; the model can fill " + known());
  }

  private static String known() {
    Map<String, String> columns = new LinkedHashMap<>();
    for (Output output : Output.values()) {
      columns.put(output.column, output.sqlType);
    }
    return columns.entrySet().stream()
        .map(e -> e.getKey() + " " + e.getValue())
        .collect(Collectors.joining(", "));
  }

  private static EntityField[] entityFields(LogicalType type) {
    if (!(type instanceof ArrayType array)
        || !(array.getElementType() instanceof RowType row)
        || row.getFieldCount() == 0) {
      throw wrongType(Output.ENTITIES, type);
    }
    EntityField[] fields = new EntityField[row.getFieldCount()];
    for (int i = 0; i < fields.length; i++) {
      RowType.RowField field = row.getFields().get(i);
      for (EntityField candidate : EntityField.values()) {
        if (candidate.field.equals(field.getName())
            && field.getType().getTypeRoot() == candidate.root) {
          fields[i] = candidate;
        }
      }
      if (fields[i] == null) {
        throw wrongType(Output.ENTITIES, type);
      }
    }
    return fields;
  }

  /** Whether a declared type can hold the output, ignoring nullability and string lengths. */
  private static boolean sameShape(LogicalType type, Output output) {
    return switch (output) {
      case SENTIMENT -> type.getTypeRoot() == LogicalTypeRoot.VARCHAR;
      case SENTIMENT_PROBABILITY -> type.getTypeRoot() == LogicalTypeRoot.FLOAT;
      case EMBEDDING ->
          type instanceof ArrayType array
              && array.getElementType().getTypeRoot() == LogicalTypeRoot.FLOAT;
      case TOKENS -> type.getTypeRoot() == LogicalTypeRoot.INTEGER;
      case TRUNCATED -> type.getTypeRoot() == LogicalTypeRoot.BOOLEAN;
      case ENTITIES -> false; // checked field by field
    };
  }

  private static boolean isText(LogicalType type) {
    return type.getTypeRoot() == LogicalTypeRoot.VARCHAR
        || type.getTypeRoot() == LogicalTypeRoot.CHAR;
  }

  private static ValidationException wrongType(Output output, LogicalType declared) {
    return new ValidationException(
        "narrowbert model: output column '"
            + output.column
            + "' must be "
            + output.sqlType
            + (output == Output.ENTITIES ? " (any of those fields, in any order)" : "")
            + ", got "
            + declared.asSummaryString());
  }
}
