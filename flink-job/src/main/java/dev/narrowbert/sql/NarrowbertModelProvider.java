package dev.narrowbert.sql;

import org.apache.flink.configuration.Configuration;
import org.apache.flink.configuration.ReadableConfig;
import org.apache.flink.table.api.config.ExecutionConfigOptions.AsyncOutputMode;
import org.apache.flink.table.api.config.MLPredictRuntimeConfigOptions;
import org.apache.flink.table.functions.AsyncPredictFunction;
import org.apache.flink.table.ml.AsyncPredictRuntimeProvider;
import org.apache.flink.table.ml.ModelProvider;

/**
 * A {@code narrowbert} model as Flink's planner sees it. It offers only the asynchronous predict
 * function, so the planner runs {@code ML_PREDICT} in an {@code AsyncWaitOperator} (asked for
 * {@code 'async' = 'false'}, the planner refuses the query): a synchronous predict function must
 * return each row's result before it sees the next row, which rules out batching.
 */
public final class NarrowbertModelProvider implements AsyncPredictRuntimeProvider {

  private final NarrowbertModelOptions options;
  private final OutputColumns columns;
  private final int sessionCapacity;
  private final AsyncOutputMode sessionOutputMode;

  /**
   * @param sessionCapacity {@code table.exec.async-ml-predict.max-concurrent-operations} of the
   *     session
   * @param sessionOutputMode {@code table.exec.async-ml-predict.output-mode} of the session
   */
  public NarrowbertModelProvider(
      NarrowbertModelOptions options,
      OutputColumns columns,
      int sessionCapacity,
      AsyncOutputMode sessionOutputMode) {
    this.options = options;
    this.columns = columns;
    this.sessionCapacity = sessionCapacity;
    this.sessionOutputMode = sessionOutputMode;
  }

  /**
   * The function for one {@code ML_PREDICT} call. Its runtime config (ML_PREDICT's optional {@code
   * MAP[...]} argument) may override the session's capacity and output mode, as the planner does
   * (see Flink's {@code MLPredictUtil}).
   */
  @Override
  public AsyncPredictFunction createAsyncPredictFunction(ModelProvider.Context context) {
    ReadableConfig query =
        context.runtimeConfig() != null ? context.runtimeConfig() : new Configuration();
    int capacity =
        query
            .getOptional(MLPredictRuntimeConfigOptions.ASYNC_MAX_CONCURRENT_OPERATIONS)
            .orElse(sessionCapacity);
    AsyncOutputMode mode =
        query
            .getOptional(MLPredictRuntimeConfigOptions.ASYNC_OUTPUT_MODE)
            .orElse(sessionOutputMode);
    // ML_PREDICT's output is insert-only, so the planner turns ALLOW_UNORDERED into UNORDERED.
    return new BatchingPredictFunction(
        options, columns, capacity, mode != AsyncOutputMode.ALLOW_UNORDERED);
  }

  @Override
  public ModelProvider copy() {
    return new NarrowbertModelProvider(options, columns, sessionCapacity, sessionOutputMode);
  }
}
