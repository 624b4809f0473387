package dev.narrowbert.cli;

import ai.djl.ndarray.NDManager;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.narrowbert.data.BadLineReport;
import dev.narrowbert.data.ConllColumns;
import dev.narrowbert.data.ConllSentence;
import dev.narrowbert.metrics.EntitySpanScorer;
import dev.narrowbert.metrics.F1;
import dev.narrowbert.model.NarrowBertConfig;
import dev.narrowbert.output.JsonLine;
import dev.narrowbert.tasks.DocumentContext;
import dev.narrowbert.tasks.EntityTagger;
import dev.narrowbert.tasks.EntityTask;
import dev.narrowbert.tasks.TaggedSentence;
import dev.narrowbert.tokenizer.WordPieceTokenizer;
import java.io.IOException;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import me.tongfei.progressbar.ProgressBar;

/**
 * {@code narrowbert eval --task ner}: entity-level precision, recall and F1 as conlleval scores
 * them ({@link EntitySpanScorer}), overall and per type, token accuracy, and what the entity gate
 * let through, as {@code
 * {"task":"ner","sentences":N,"context":C,"tag_decoding":D,"precision":P,...,"entity_gate":{...}}}.
 * Scores are fractions in [0, 1], rounded to six decimals.
 *
 * <p>With document context ({@code --context C} word pieces, {@link DocumentContext}) the file is
 * read a document at a time, since a sentence's context may come from the sentences after it;
 * without, a sentence at a time. Either way sentences are scored in chunks of {@link
 * EvalBatching#CHUNK} in file order.
 */
final class EntityEvaluation {
  private EntityEvaluation() {}

  static ObjectNode evaluate(
      EntityTagger tagger,
      NarrowBertConfig config,
      WordPieceTokenizer tokenizer,
      NDManager manager,
      EvalFile file,
      EvalBatching batching,
      int contextPieces)
      throws IOException {
    List<String> labels = config.entityLabels();
    DocumentContext context = new DocumentContext(tokenizer, labels, contextPieces);
    EntityTask entityTask = new EntityTask(tagger, labels, false);
    EntitySpanScorer total = new EntitySpanScorer();
    List<TaggedSentence> chunk = new ArrayList<>();
    ProgressBar progress = file.progress("sentences");
    Runnable flush =
        () -> {
          chunk.sort(Comparator.comparingInt(s -> s.encoding().tokenCount()));
          for (List<TaggedSentence> batch :
              batching.batches(chunk, s -> s.encoding().tokenCount())) {
            entityTask.scoreInto(manager, batch, total);
            progress.stepBy(batch.size());
          }
          chunk.clear();
        };
    List<ConllSentence> document = new ArrayList<>();
    Runnable endDocument =
        () -> {
          for (TaggedSentence sentence : context.tag(document)) {
            chunk.add(sentence);
            if (chunk.size() == EvalBatching.CHUNK) {
              flush.run();
            }
          }
          document.clear();
        };
    BadLineReport report =
        ConllColumns.read(
            file.data(),
            sentence -> {
              if (!document.isEmpty() && !document.get(0).sameDocument(sentence)) {
                endDocument.run();
              }
              document.add(sentence);
              if (contextPieces == 0) {
                endDocument.run(); // no context needed: stream a sentence at a time
              }
            });
    endDocument.run();
    flush.run();
    progress.close();
    file.warn(report, null);
    ObjectNode result = JsonLine.tree();
    result.put("task", "ner");
    result.put("sentences", total.sentences());
    result.put("context", contextPieces);
    result.put("tag_decoding", tagger.tagDecoding().json());
    F1 overall = total.overall();
    result.put("precision", EvalCommand.round(overall.precision()));
    result.put("recall", EvalCommand.round(overall.recall()));
    result.put("f1", EvalCommand.round(overall.f1()));
    result.put("token_accuracy", EvalCommand.round(total.tokenAccuracy()));
    ObjectNode perType = result.putObject("per_type");
    for (Map.Entry<String, F1> type : total.perType().entrySet()) {
      perType
          .putObject(type.getKey())
          .put("precision", EvalCommand.round(type.getValue().precision()))
          .put("recall", EvalCommand.round(type.getValue().recall()))
          .put("f1", EvalCommand.round(type.getValue().f1()));
    }
    writeGate(result.putObject("entity_gate"), tagger, config);
    return result;
  }

  /** Whether the gate was on, its thresholds, and the share of (entity) words it queried. */
  private static void writeGate(ObjectNode gate, EntityTagger tagger, NarrowBertConfig config) {
    EntityTagger.QueryCounts counts = tagger.queryCounts();
    gate.put("on", tagger.entityGated());
    if (tagger.entityGated()) {
      gate.put("threshold", config.entityGate().threshold());
      gate.put("lower_case_threshold", config.entityGate().lowerCaseThreshold());
    }
    gate.put(
        "entity_word_recall",
        EvalCommand.round(ratio(counts.entityWordsQueried(), counts.entityWords())));
    gate.put("query_share", EvalCommand.round(ratio(counts.queried(), counts.words())));
  }

  private static double ratio(long part, long whole) {
    return whole == 0 ? 0 : (double) part / whole;
  }
}
