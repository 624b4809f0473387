package dev.narrowbert.sql;

import java.util.Set;
import org.apache.flink.configuration.ConfigOption;
import org.apache.flink.table.api.config.ExecutionConfigOptions;
import org.apache.flink.table.factories.FactoryUtil;
import org.apache.flink.table.factories.ModelProviderFactory;
import org.apache.flink.table.ml.ModelProvider;

/**
 * The {@code narrowbert} model provider for Flink SQL (FLIP-437 {@code CREATE MODEL}, FLIP-525
 * {@code ML_PREDICT}), found by Flink through {@code META-INF/services} when this jar is on the
 * classpath:
 *
 * <pre>{@code
 * CREATE MODEL review_model
 *   INPUT (text STRING)
 *   OUTPUT (sentiment STRING, sentiment_probability FLOAT)
 *   WITH ('provider' = 'narrowbert', 'model' = '/models/default');
 * SELECT id, sentiment FROM ML_PREDICT(TABLE reviews, MODEL review_model, DESCRIPTOR(text));
 * }</pre>
 *
 * <p>Options: {@link NarrowbertModelOptions}; columns: {@link OutputColumns}. Both are checked
 * here, when the planner plans the query, so a wrong option or column fails the statement, not the
 * job.
 */
public final class NarrowbertModelProviderFactory implements ModelProviderFactory {

  /** The value of {@code 'provider'}. */
  public static final String IDENTIFIER = "narrowbert";

  @Override
  public String factoryIdentifier() {
    return IDENTIFIER;
  }

  @Override
  public Set<ConfigOption<?>> requiredOptions() {
    return Set.of();
  }

  @Override
  public Set<ConfigOption<?>> optionalOptions() {
    return NarrowbertModelOptions.ALL;
  }

  @Override
  public ModelProvider createModelProvider(ModelProviderFactory.Context context) {
    FactoryUtil.ModelProviderFactoryHelper helper =
        FactoryUtil.createModelProviderFactoryHelper(this, context);
    helper.validate();
    NarrowbertModelOptions options = NarrowbertModelOptions.from(helper.getOptions());
    OutputColumns columns = OutputColumns.of(context.getCatalogModel());
    return new NarrowbertModelProvider(
        options,
        columns,
        context
            .getConfiguration()
            .get(ExecutionConfigOptions.TABLE_EXEC_ASYNC_ML_PREDICT_MAX_CONCURRENT_OPERATIONS),
        context
            .getConfiguration()
            .get(ExecutionConfigOptions.TABLE_EXEC_ASYNC_ML_PREDICT_OUTPUT_MODE));
  }
}
