package dev.narrowbert.cli;

import ai.djl.ndarray.NDManager;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.narrowbert.data.BadLineReport;
import dev.narrowbert.data.ReviewJsonLines;
import dev.narrowbert.metrics.ConfusionMatrix;
import dev.narrowbert.output.JsonLine;
import dev.narrowbert.tasks.SentimentClassifier;
import dev.narrowbert.tokenizer.Encoding;
import dev.narrowbert.tokenizer.WordPieceTokenizer;
import java.io.IOException;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import me.tongfei.progressbar.ProgressBar;

/**
 * {@code narrowbert eval --task sentiment}: accuracy and macro F1 of a model's sentiment head on
 * labelled review JSON lines, as {@code {"task":"sentiment","examples":N,"accuracy":A,
 * "macro_f1":F}}. Reviews without a label are skipped and counted on stderr.
 */
final class SentimentEvaluation {
  private SentimentEvaluation() {}

  static ObjectNode evaluate(
      SentimentClassifier classifier,
      WordPieceTokenizer tokenizer,
      NDManager manager,
      EvalFile file,
      EvalBatching batching)
      throws IOException {
    ConfusionMatrix matrix = new ConfusionMatrix(2);
    List<Encoding> encodings = new ArrayList<>();
    List<Integer> labels = new ArrayList<>();
    long[] unlabelled = new long[1];
    ProgressBar progress = file.progress("reviews");
    Runnable flush =
        () -> {
          List<Integer> order = new ArrayList<>();
          for (int i = 0; i < encodings.size(); i++) {
            order.add(i);
          }
          order.sort(Comparator.comparingInt(i -> encodings.get(i).tokenCount()));
          for (List<Integer> batch : batching.batches(order, i -> encodings.get(i).tokenCount())) {
            int[] predicted =
                classifier.predict(manager, batch.stream().map(encodings::get).toList());
            for (int i = 0; i < predicted.length; i++) {
              matrix.add(labels.get(batch.get(i)), predicted[i]);
            }
            progress.stepBy(batch.size());
          }
          encodings.clear();
          labels.clear();
        };
    BadLineReport report =
        ReviewJsonLines.read(
            file.data(),
            review -> {
              if (review.label() == null) {
                unlabelled[0]++;
                return;
              }
              encodings.add(tokenizer.encode(review.text()));
              labels.add(review.label());
              if (encodings.size() == EvalBatching.CHUNK) {
                flush.run();
              }
            });
    flush.run();
    progress.close();
    file.warn(
        report, unlabelled[0] > 0 ? unlabelled[0] + " reviews without a label skipped" : null);
    ObjectNode result = JsonLine.tree();
    result.put("task", "sentiment");
    result.put("examples", matrix.total());
    result.put("accuracy", EvalCommand.round(matrix.accuracy()));
    result.put("macro_f1", EvalCommand.round(matrix.macroF1()));
    return result;
  }
}
