package dev.narrowbert.tasks;

import static org.assertj.core.api.Assertions.assertThat;

import ai.djl.engine.Engine;
import ai.djl.ndarray.NDManager;
import ai.djl.training.ParameterStore;
import dev.narrowbert.data.ConllSentence;
import dev.narrowbert.inference.TinyModelDirectory;
import dev.narrowbert.metrics.EntitySpanScorer;
import dev.narrowbert.model.EntityGateSpec;
import dev.narrowbert.model.NarrowBertConfig;
import dev.narrowbert.model.NarrowBertModel;
import dev.narrowbert.model.TinyModels;
import dev.narrowbert.tokenizer.WordPieceTokenizer;
import dev.narrowbert.tokenizer.WordPieceVocabulary;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/** Tagging, loss and scores of sentences read with document context, on a tiny random model. */
@ExtendWith(ConllDocumentsFixture.class)
class EntityContextTaggingTest {

  private static final List<String> LABELS = NarrowBertConfig.ENTITY_LABELS;
  private static final int CONTEXT = 8;

  @Test
  void contextWordsTagsNeverReachTheLossOrTheScore(List<ConllSentence> sentences) {
    // The middle sentence of document 1, read between neighbours whose gold tags are nonsense.
    List<ConllSentence> odd = new ArrayList<>(sentences);
    for (int i : new int[] {0, 2}) {
      ConllSentence s = sentences.get(i);
      odd.set(
          i,
          new ConllSentence(
              s.words(), Collections.nCopies(s.size(), "B-MISC"), s.firstLine(), s.document()));
    }
    try (NDManager manager = NDManager.newBaseManager()) {
      EntityTask task = new EntityTask(tagger(manager, TinyModelDirectory.config()), LABELS, false);
      DocumentContext context = new DocumentContext(tokenizer(), LABELS, CONTEXT);
      List<TaggedSentence> target = List.of(context.tag(sentences).get(1));
      List<TaggedSentence> oddTarget = List.of(context.tag(odd).get(1));

      EntitySpanScorer score = task.score(manager, target);
      EntitySpanScorer oddScore = task.score(manager, oddTarget);

      assertThat(oddTarget.get(0).encoding()).isEqualTo(target.get(0).encoding());
      assertThat(oddScore.overall()).isEqualTo(score.overall());
      assertThat(oddScore.tokenAccuracy()).isEqualTo(score.tokenAccuracy());
      assertThat(loss(task, manager, oddTarget)).isEqualTo(loss(task, manager, target));
    }
  }

  @Test
  void readsTheContextButPredictsOneTagPerWordOfEachSentence(List<ConllSentence> sentences) {
    try (NDManager manager = NDManager.newBaseManager()) {
      EntityTagger tagger = tagger(manager, TinyModelDirectory.config());
      List<TaggedSentence> withContext =
          new DocumentContext(tokenizer(), LABELS, CONTEXT).tag(sentences);
      List<TaggedSentence> alone = new DocumentContext(tokenizer(), LABELS, 0).tag(sentences);

      int[][] tags = tagger.predict(manager, withContext);

      assertThat(tags.length).isEqualTo(sentences.size());
      for (int i = 0; i < sentences.size(); i++) {
        assertThat(tags[i]).hasSize(sentences.get(i).size());
        assertThat(java.util.Arrays.stream(tags[i])).allMatch(t -> t >= 0 && t < LABELS.size());
      }
      assertThat(tagger.queryCounts().words())
          .isEqualTo(sentences.stream().mapToInt(ConllSentence::size).sum());
      // The context is read: the same words score differently with their neighbours around them.
      try (NDManager scope = manager.newSubManager()) {
        float[] logits =
            tagger
                .logits(scope, withContext, EntityTagger.queries(scope, withContext), false)
                .toFloatArray();
        float[] aloneLogits =
            tagger.logits(scope, alone, EntityTagger.queries(scope, alone), false).toFloatArray();
        assertThat(logits).isNotEqualTo(aloneLogits);
      }
    }
  }

  @Test
  void theEntityGateConsidersOnlyTheSentencesOwnWords(List<ConllSentence> sentences) {
    // Thresholds of 0 pass every word the gate is shown: whatever is queried was a candidate.
    NarrowBertConfig gated =
        TinyModelDirectory.config().withEntityGate(new EntityGateSpec(8, 0f, 0f, 0.99f));
    try (NDManager manager = NDManager.newBaseManager()) {
      EntityTagger tagger = tagger(manager, gated);
      List<TaggedSentence> withContext =
          new DocumentContext(tokenizer(), LABELS, CONTEXT).tag(sentences);
      int ownWords = sentences.stream().mapToInt(ConllSentence::size).sum();
      int allWords =
          withContext.stream().mapToInt(s -> s.encoding().firstSubTokenPositions().length).sum();

      int[][] tags = tagger.predict(manager, withContext);

      assertThat(tagger.entityGated()).isTrue();
      assertThat(allWords).isGreaterThan(ownWords);
      assertThat(tagger.queryCounts().queried()).isEqualTo(ownWords);
      assertThat(tagger.queryCounts().words()).isEqualTo(ownWords);
      for (int i = 0; i < sentences.size(); i++) {
        assertThat(tags[i]).hasSize(sentences.get(i).size());
      }
    }
  }

  private static float loss(EntityTask task, NDManager manager, List<TaggedSentence> batch) {
    Engine.getInstance().setRandomSeed(11); // the same dropout masks for both
    try (NDManager scope = manager.newSubManager()) {
      return task.loss(scope, batch).getFloat();
    }
  }

  private static EntityTagger tagger(NDManager manager, NarrowBertConfig config) {
    WordPieceVocabulary vocabulary = TinyModelDirectory.vocabulary();
    NarrowBertConfig matching = config.withVocab(vocabulary.size(), vocabulary.sha256());
    NarrowBertModel model = TinyModels.model(manager, matching, 5);
    int padId = vocabulary.padId();
    return new EntityTagger(model, new ParameterStore(manager, false), padId);
  }

  private static WordPieceTokenizer tokenizer() {
    return new WordPieceTokenizer(
        TinyModelDirectory.vocabulary(), TinyModelDirectory.config().maxPositionEmbeddings());
  }
}
