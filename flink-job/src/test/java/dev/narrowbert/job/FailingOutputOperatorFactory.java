package dev.narrowbert.job;

import org.apache.flink.runtime.event.WatermarkEvent;
import org.apache.flink.streaming.api.graph.StreamGraph;
import org.apache.flink.streaming.api.graph.StreamNode;
import org.apache.flink.streaming.api.operators.ChainingStrategy;
import org.apache.flink.streaming.api.operators.Output;
import org.apache.flink.streaming.api.operators.SimpleOperatorFactory;
import org.apache.flink.streaming.api.operators.StreamOperator;
import org.apache.flink.streaming.api.operators.StreamOperatorFactory;
import org.apache.flink.streaming.api.operators.StreamOperatorParameters;
import org.apache.flink.streaming.api.watermark.Watermark;
import org.apache.flink.streaming.runtime.streamrecord.LatencyMarker;
import org.apache.flink.streaming.runtime.streamrecord.RecordAttributes;
import org.apache.flink.streaming.runtime.streamrecord.StreamRecord;
import org.apache.flink.streaming.runtime.watermarkstatus.WatermarkStatus;
import org.apache.flink.util.OutputTag;

/**
 * Creates a job's own operator, unchanged, but hands it an output that reports every record it
 * emits to a {@link FailurePlan}, which throws where a failure is due: inside the operator's own
 * call (a record, a timer, a flush before a checkpoint barrier). The job's code stays as it is; the
 * test swaps the factory of one node of the built job's {@link StreamGraph} ({@link #wrap}).
 */
final class FailingOutputOperatorFactory<OUT> extends SimpleOperatorFactory<OUT> {
  private final String plan;
  private final FailurePlan.Point point;

  private FailingOutputOperatorFactory(
      StreamOperator<OUT> operator,
      ChainingStrategy chaining,
      String plan,
      FailurePlan.Point point) {
    super(operator);
    setChainingStrategy(chaining);
    this.plan = plan;
    this.point = point;
  }

  /** Wraps the operator of the node whose uid is {@code uid}. */
  static void wrap(StreamGraph graph, String uid, FailurePlan plan, FailurePlan.Point point) {
    for (StreamNode node : graph.getStreamNodes()) {
      if (uid.equals(node.getTransformationUID())) {
        StreamOperatorFactory<?> original = node.getOperatorFactory();
        node.setOperatorFactory(
            new FailingOutputOperatorFactory<>(
                ((SimpleOperatorFactory<?>) original).getOperator(),
                original.getChainingStrategy(),
                plan.name(),
                point));
        return;
      }
    }
    throw new IllegalArgumentException("no operator with uid " + uid);
  }

  @Override
  public <T extends StreamOperator<OUT>> T createStreamOperator(
      StreamOperatorParameters<OUT> parameters) {
    var task = parameters.getContainingTask().getEnvironment().getTaskInfo();
    Output<StreamRecord<OUT>> output =
        new FailingOutput<>(
            parameters.getOutput(),
            FailurePlan.named(plan),
            point,
            task.getAttemptNumber(),
            task.getTaskNameWithSubtasks());
    return super.createStreamOperator(
        new StreamOperatorParameters<>(
            parameters.getContainingTask(),
            parameters.getStreamConfig(),
            output,
            parameters::getProcessingTimeService,
            parameters.getOperatorEventDispatcher(),
            parameters.getMailboxExecutor()));
  }

  /** Passes everything on; reports each main-output record to the plan first. */
  private static final class FailingOutput<T> implements Output<StreamRecord<T>> {
    private final Output<StreamRecord<T>> output;
    private final FailurePlan plan;
    private final FailurePlan.Point point;
    private final int attempt;
    private final String subtask;
    private long records;

    FailingOutput(
        Output<StreamRecord<T>> output,
        FailurePlan plan,
        FailurePlan.Point point,
        int attempt,
        String subtask) {
      this.output = output;
      this.plan = plan;
      this.point = point;
      this.attempt = attempt;
      this.subtask = subtask;
    }

    @Override
    public void collect(StreamRecord<T> record) {
      plan.onEvent(point, attempt, ++records, subtask);
      output.collect(record);
    }

    @Override
    public <X> void collect(OutputTag<X> tag, StreamRecord<X> record) {
      output.collect(tag, record);
    }

    @Override
    public void emitWatermark(Watermark mark) {
      output.emitWatermark(mark);
    }

    @Override
    public void emitWatermarkStatus(WatermarkStatus status) {
      output.emitWatermarkStatus(status);
    }

    @Override
    public void emitLatencyMarker(LatencyMarker marker) {
      output.emitLatencyMarker(marker);
    }

    @Override
    public void emitRecordAttributes(RecordAttributes attributes) {
      output.emitRecordAttributes(attributes);
    }

    @Override
    public void emitWatermark(WatermarkEvent watermark) {
      output.emitWatermark(watermark);
    }

    @Override
    public void close() {
      output.close();
    }
  }
}
