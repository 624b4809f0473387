package dev.narrowbert.tasks;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;
import ai.djl.nn.Parameter;
import dev.narrowbert.metrics.EntitySpanScorer;
import dev.narrowbert.model.MaskedCrossEntropy;
import dev.narrowbert.model.QueryPositions;
import dev.narrowbert.training.FineTuningTask;
import dev.narrowbert.training.ModelParts;
import java.util.Arrays;
import java.util.List;
import java.util.Map;

/**
 * CoNLL-2003 NER as token classification on each word's first sub-token (Devlin et al., 2019,
 * Section 5.3), scored by entity-level F1 ({@link EntitySpanScorer}). Trains the encoder and the
 * entity head; the sentiment and MLM heads are left as they are. A sentence may be read with
 * document context ({@link DocumentContext}); its loss and score are still over its own words only,
 * since those are a {@link TaggedSentence}'s only queries and tags.
 */
public final class EntityTask implements FineTuningTask<TaggedSentence> {

  private static final int BATCH = 64;
  private final EntityTagger tagger;
  private final ModelParts parts;
  private final List<String> labels;
  private final boolean headOnly;
  private final int contextPieces;

  /**
   * @param headOnly train the entity head only, with the encoder frozen
   */
  public EntityTask(EntityTagger tagger, List<String> labels, boolean headOnly) {
    this(tagger, labels, headOnly, 0);
  }

  /**
   * @param headOnly train the entity head only, with the encoder frozen
   * @param contextPieces the document context its sentences were tagged with ({@link
   *     DocumentContext#pieces()}), which a resumed run must repeat
   */
  public EntityTask(EntityTagger tagger, List<String> labels, boolean headOnly, int contextPieces) {
    this.tagger = tagger;
    this.parts = ModelParts.of(tagger.model());
    this.labels = List.copyOf(labels);
    this.headOnly = headOnly;
    this.contextPieces = contextPieces;
  }

  @Override
  public String name() {
    return "ner";
  }

  @Override
  public String metricName() {
    return "f1";
  }

  @Override
  public int tokens(TaggedSentence example) {
    return example.encoding().tokenCount();
  }

  @Override
  public NDArray loss(NDManager scope, List<TaggedSentence> batch) {
    QueryPositions queries = EntityTagger.queries(scope, batch);
    int width = (int) queries.count();
    long[] gold = new long[batch.size() * width];
    for (int b = 0; b < batch.size(); b++) {
      int[] tags = batch.get(b).queryTags();
      for (int m = 0; m < tags.length; m++) {
        gold[b * width + m] = tags[m];
      }
    }
    NDArray logits = tagger.logits(scope, batch, queries, true); // (B, M, T)
    NDArray labelArray = scope.create(gold, new Shape(batch.size(), width));
    return MaskedCrossEntropy.loss(logits, labelArray, queries.mask());
  }

  @Override
  public double validate(NDManager manager, List<TaggedSentence> examples) {
    return score(manager, examples).overall().f1();
  }

  /** Entity-level scores of {@code examples}. */
  public EntitySpanScorer score(NDManager manager, List<TaggedSentence> examples) {
    EntitySpanScorer scorer = new EntitySpanScorer();
    for (int from = 0; from < examples.size(); from += BATCH) {
      scoreInto(manager, examples.subList(from, Math.min(from + BATCH, examples.size())), scorer);
    }
    return scorer;
  }

  /** Tags one batch and adds its gold and predicted tags to {@code scorer}. */
  public void scoreInto(NDManager manager, List<TaggedSentence> batch, EntitySpanScorer scorer) {
    int[][] predicted = tagger.predict(manager, batch);
    for (int i = 0; i < predicted.length; i++) {
      scorer.add(names(batch.get(i).tags()), names(predicted[i]));
    }
  }

  private List<String> names(int[] tags) {
    return Arrays.stream(tags).mapToObj(labels::get).toList();
  }

  /** {@code context} (word pieces) when the sentences have document context; none without. */
  @Override
  public Map<String, String> exampleSettings() {
    return contextPieces == 0 ? Map.of() : Map.of("context", Integer.toString(contextPieces));
  }

  @Override
  public boolean trains(Parameter parameter) {
    return headOnly
        ? parts.belongsTo(parameter, ModelParts.Part.ENTITY_HEAD)
        : parts.isEncoder(parameter) || parts.belongsTo(parameter, ModelParts.Part.ENTITY_HEAD);
  }
}
