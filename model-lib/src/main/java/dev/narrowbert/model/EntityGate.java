package dev.narrowbert.model;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import ai.djl.nn.AbstractBlock;
import ai.djl.nn.Activation;
import ai.djl.nn.core.Linear;
import ai.djl.training.ParameterStore;
import ai.djl.util.PairList;
import dev.narrowbert.tokenizer.Encoding;
import java.util.Arrays;
import java.util.List;
import java.util.stream.IntStream;

/**
 * The entity gate: {@code W2 · gelu(W1 · [h; c])} for each word, where h is the full-length state
 * of the word's first sub-token at the narrowing point and c three case features of the original
 * text, one logit per word (sigmoid = probability that the word is part of an entity). It costs two
 * small matrix products per word, against the narrow layers' attention and feed-forward for every
 * word it keeps out of the queries.
 *
 * <p>The model is uncased (h does not see capitals), but the text the gate scores still has them,
 * and in reviews a capital is the strongest hint of a name. The case features are whether the word
 * starts with a capital letter, the share of the text's letter-initial words that do (a text
 * written all in lower case has share 0, which tells the gate that case says nothing there) and
 * whether the word starts a sentence (where a capital is no hint). Training shows the gate
 * sentences with their case removed as well ({@code EntityGateTraining}).
 *
 * <p>Input: states (B, W, d) and case features (B, W, 3). Output: logits (B, W).
 */
public final class EntityGate extends AbstractBlock {

  /**
   * Case features per word: starts with a capital; share of the text's words that do; starts a
   * sentence (where a capital says nothing).
   */
  public static final int CASE_FEATURES = 3;

  private final int hiddenSize;
  private final int gateSize;
  private final Linear hidden;
  private final Linear score;

  public EntityGate(NarrowBertConfig config) {
    hiddenSize = config.hiddenSize();
    gateSize = config.entityGate().hiddenSize();
    hidden = addChildBlock("hidden", Linear.builder().setUnits(gateSize).build());
    score = addChildBlock("score", Linear.builder().setUnits(1).build());
  }

  /**
   * The case features of the given words of one text, flattened (W x {@value #CASE_FEATURES}).
   *
   * @param positions the first sub-token of each word to describe
   * @param lowerCased describe the text as if it were written in lower case (training only)
   */
  public static float[] caseFeatures(Encoding encoding, int[] positions, boolean lowerCased) {
    float[] features = new float[positions.length * CASE_FEATURES];
    if (lowerCased) {
      return features;
    }
    int[] words = encoding.firstSubTokenPositions();
    long letters =
        Arrays.stream(words).filter(p -> Character.isLetter(firstChar(encoding, p))).count();
    long capitals =
        Arrays.stream(words).filter(p -> Character.isUpperCase(firstChar(encoding, p))).count();
    float share = letters == 0 ? 0f : (float) capitals / letters;
    for (int w = 0; w < positions.length; w++) {
      features[w * CASE_FEATURES] =
          Character.isUpperCase(firstChar(encoding, positions[w])) ? 1f : 0f;
      features[w * CASE_FEATURES + 1] = share;
    }
    return features;
  }

  /** Whether any word of the text starts with a capital letter: whether case means anything. */
  public static boolean hasCapitals(Encoding encoding) {
    return Arrays.stream(encoding.firstSubTokenPositions())
        .anyMatch(p -> Character.isUpperCase(firstChar(encoding, p)));
  }

  private static char firstChar(Encoding encoding, int position) {
    int start = encoding.starts()[position];
    return start < encoding.text().length() ? encoding.text().charAt(start) : ' ';
  }

  /**
   * Gate probabilities of the given words, per example.
   *
   * @param states H at the narrowing point (B, L, d)
   * @param positions per example, the words to score (each word's first sub-token)
   * @param encodings per example, its tokens (for the case features)
   * @return per example, one probability per position
   */
  public float[][] probabilities(
      ParameterStore ps, NDArray states, List<int[]> positions, List<Encoding> encodings) {
    try (NDManager scope = states.getManager().newSubManager()) {
      QueryPositions words = QueryPositions.of(scope, positions);
      int width = (int) words.count();
      float[] cases = new float[positions.size() * width * CASE_FEATURES];
      for (int b = 0; b < positions.size(); b++) {
        float[] c = caseFeatures(encodings.get(b), positions.get(b), false);
        System.arraycopy(c, 0, cases, b * width * CASE_FEATURES, c.length);
      }
      NDArray caseArray =
          scope
              .create(cases, new Shape(positions.size(), width, CASE_FEATURES))
              .toType(states.getDataType(), false);
      NDArray logits =
          forward(ps, new NDList(words.gather(states), caseArray), false).head(); // (B, W)
      float[] flat = Activation.sigmoid(logits).toType(DataType.FLOAT32, false).toFloatArray();
      float[][] result = new float[positions.size()][];
      for (int b = 0; b < positions.size(); b++) {
        result[b] = Arrays.copyOfRange(flat, b * width, b * width + positions.get(b).length);
      }
      return result;
    }
  }

  /** Indices of the probabilities at or above {@code threshold}: the words that become queries. */
  public static int[] passing(float[] probabilities, float threshold) {
    return IntStream.range(0, probabilities.length)
        .filter(w -> probabilities[w] >= threshold)
        .toArray();
  }

  /** Inputs: states (B, W, d), case features (B, W, 3). */
  @Override
  protected NDList forwardInternal(
      ParameterStore ps, NDList inputs, boolean training, PairList<String, Object> params) {
    NDArray x = inputs.get(0).concat(inputs.get(1), -1); // (B, W, d + 3)
    NDArray inner = Activation.gelu(hidden.forward(ps, new NDList(x), training).head()); // (B,W,g)
    NDArray logits = score.forward(ps, new NDList(inner), training).head(); // (B, W, 1)
    return new NDList(logits.squeeze(-1));
  }

  @Override
  protected void initializeChildBlocks(NDManager manager, DataType dataType, Shape... shapes) {
    hidden.initialize(manager, dataType, new Shape(1, hiddenSize + CASE_FEATURES));
    score.initialize(manager, dataType, new Shape(1, gateSize));
  }

  @Override
  public Shape[] getOutputShapes(Shape[] inputShapes) {
    Shape in = inputShapes[0];
    return new Shape[] {new Shape(in.get(0), in.get(1))};
  }
}
