package dev.narrowbert.job;

import java.io.IOException;
import java.util.Collection;
import java.util.List;
import org.apache.flink.api.common.eventtime.Watermark;
import org.apache.flink.api.connector.sink2.Committer;
import org.apache.flink.api.connector.sink2.CommitterInitContext;
import org.apache.flink.api.connector.sink2.CommittingSinkWriter;
import org.apache.flink.api.connector.sink2.Sink;
import org.apache.flink.api.connector.sink2.StatefulSinkWriter;
import org.apache.flink.api.connector.sink2.SupportsCommitter;
import org.apache.flink.api.connector.sink2.SupportsWriterState;
import org.apache.flink.api.connector.sink2.WriterInitContext;
import org.apache.flink.connector.kafka.sink.KafkaCommittable;
import org.apache.flink.connector.kafka.sink.KafkaSink;
import org.apache.flink.connector.kafka.sink.KafkaWriterState;
import org.apache.flink.connector.kafka.sink.TwoPhaseCommittingStatefulSink;
import org.apache.flink.core.io.SimpleVersionedSerializer;
import org.apache.flink.streaming.api.connector.sink2.CommittableMessage;
import org.apache.flink.streaming.api.connector.sink2.SupportsPostCommitTopology;
import org.apache.flink.streaming.api.datastream.DataStream;

/**
 * The job's own {@link KafkaSink}, whose writer reports every record it writes (and, optionally,
 * every pre-commit) to a {@link FailurePlan} first, which throws where a failure is due. Everything
 * else (transactions, committer, state) is the real sink's.
 */
final class FailingKafkaSink<T>
    implements Sink<T>,
        SupportsWriterState<T, KafkaWriterState>,
        SupportsCommitter<KafkaCommittable>,
        SupportsPostCommitTopology<KafkaCommittable> {
  private final KafkaSink<T> sink;
  private final String plan;
  private final FailurePlan.Point onWrite;
  private final FailurePlan.Point onPrecommit;

  /**
   * @param onPrecommit where a pre-commit is reported, or null for nowhere
   */
  FailingKafkaSink(
      KafkaSink<T> sink,
      FailurePlan plan,
      FailurePlan.Point onWrite,
      FailurePlan.Point onPrecommit) {
    this.sink = sink;
    this.plan = plan.name();
    this.onWrite = onWrite;
    this.onPrecommit = onPrecommit;
  }

  @Override
  public StatefulSinkWriter<T, KafkaWriterState> createWriter(WriterInitContext context)
      throws IOException {
    return new FailingWriter<>(real().createWriter(context), context, this);
  }

  @Override
  public StatefulSinkWriter<T, KafkaWriterState> restoreWriter(
      WriterInitContext context, Collection<KafkaWriterState> state) throws IOException {
    return new FailingWriter<>(real().restoreWriter(context, state), context, this);
  }

  @Override
  public SimpleVersionedSerializer<KafkaWriterState> getWriterStateSerializer() {
    return sink.getWriterStateSerializer();
  }

  @Override
  public Committer<KafkaCommittable> createCommitter(CommitterInitContext context)
      throws IOException {
    return sink.createCommitter(context);
  }

  @Override
  public SimpleVersionedSerializer<KafkaCommittable> getCommittableSerializer() {
    return sink.getCommittableSerializer();
  }

  @Override
  public void addPostCommitTopology(DataStream<CommittableMessage<KafkaCommittable>> committables) {
    sink.addPostCommitTopology(committables);
  }

  /** The sink through its public interface (its writer class is package-private). */
  private TwoPhaseCommittingStatefulSink<T, KafkaWriterState, KafkaCommittable> real() {
    return sink;
  }

  private static final class FailingWriter<T>
      implements StatefulSinkWriter<T, KafkaWriterState>,
          CommittingSinkWriter<T, KafkaCommittable> {
    private final TwoPhaseCommittingStatefulSink.PrecommittingStatefulSinkWriter<
            T, KafkaWriterState, KafkaCommittable>
        writer;
    private final FailurePlan plan;
    private final FailurePlan.Point onWrite;
    private final FailurePlan.Point onPrecommit;
    private final int attempt;
    private final String subtask;
    private long writes;
    private long precommits;

    FailingWriter(
        TwoPhaseCommittingStatefulSink.PrecommittingStatefulSinkWriter<
                T, KafkaWriterState, KafkaCommittable>
            writer,
        WriterInitContext context,
        FailingKafkaSink<T> sink) {
      this.writer = writer;
      this.plan = FailurePlan.named(sink.plan);
      this.onWrite = sink.onWrite;
      this.onPrecommit = sink.onPrecommit;
      this.attempt = context.getTaskInfo().getAttemptNumber();
      this.subtask = context.getTaskInfo().getTaskNameWithSubtasks();
    }

    @Override
    public void write(T element, Context context) throws IOException, InterruptedException {
      plan.onEvent(onWrite, attempt, ++writes, subtask);
      writer.write(element, context);
    }

    @Override
    public Collection<KafkaCommittable> prepareCommit() throws IOException, InterruptedException {
      if (onPrecommit != null) {
        plan.onEvent(onPrecommit, attempt, ++precommits, subtask);
      }
      return writer.prepareCommit();
    }

    @Override
    public void flush(boolean endOfInput) throws IOException, InterruptedException {
      writer.flush(endOfInput);
    }

    @Override
    public void writeWatermark(Watermark watermark) throws IOException, InterruptedException {
      writer.writeWatermark(watermark);
    }

    @Override
    public List<KafkaWriterState> snapshotState(long checkpointId) throws IOException {
      return writer.snapshotState(checkpointId);
    }

    @Override
    public void close() throws Exception {
      writer.close();
    }
  }
}
