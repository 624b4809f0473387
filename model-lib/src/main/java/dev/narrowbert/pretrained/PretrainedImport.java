package dev.narrowbert.pretrained;

import ai.djl.ndarray.NDManager;
import dev.narrowbert.checkpoint.ModelDirectory;
import dev.narrowbert.model.EntityGateSpec;
import dev.narrowbert.model.LayerStack;
import dev.narrowbert.model.NarrowBertConfig;
import dev.narrowbert.model.NarrowBertModel;
import dev.narrowbert.model.Pooling;
import dev.narrowbert.tokenizer.Truncation;
import dev.narrowbert.tokenizer.WordPieceVocabulary;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;

/**
 * Pretrained BERT tensors -> a model directory in our format, with any layer stack and length.
 * Sizes (hidden, feed-forward, layers, positions) are read off the tensors; only the number of
 * heads must be given, because the tensors do not record it.
 */
public final class PretrainedImport {

  /** The file written beside the weights that names their source and licence. */
  public static final String NOTICE_FILE = "NOTICE";

  private PretrainedImport() {}

  /** What the import wrote. */
  public record Result(NarrowBertConfig config, List<String> freshParameters) {}

  /**
   * @param layerStack the stack, or null for SparseQueries with k = 2 (BERT for 2 layers or fewer)
   * @param maxLength learned positions to keep, or 0 for all the source has
   * @param notice the NOTICE text (source and licence of the weights)
   */
  public static Result write(
      Map<String, PretrainedTensor> tensors,
      int heads,
      String layerStack,
      int maxLength,
      Pooling pooling,
      Truncation truncation,
      WordPieceVocabulary vocabulary,
      int seed,
      String notice,
      Path out)
      throws IOException {
    long[] words = shape(tensors, "embeddings.word_embeddings.weight");
    long[] positions = shape(tensors, "embeddings.position_embeddings.weight");
    long[] types = shape(tensors, "embeddings.token_type_embeddings.weight");
    long[] intermediate = shape(tensors, "encoder.layer.0.intermediate.dense.weight");
    int layers = BertWeightMapping.sourceLayers(tensors);
    if (words[0] != vocabulary.size()) {
      throw new IOException(
          "the pretrained word embeddings have "
              + words[0]
              + " rows but the vocabulary has "
              + vocabulary.size()
              + " tokens");
    }
    if (maxLength > positions[0]) {
      throw new IOException(
          "--max-len " + maxLength + " is more than the " + positions[0] + " positions learned");
    }
    String stack = layerStack != null ? layerStack : LayerStack.defaultNarrow(layers);
    NarrowBertConfig config;
    try {
      NarrowBertConfig base =
          NarrowBertConfig.of(
              vocabulary.size(),
              vocabulary.sha256(),
              (int) words[1],
              heads,
              (int) intermediate[0],
              stack,
              maxLength > 0 ? maxLength : (int) positions[0]);
      config =
          new NarrowBertConfig(
              base.modelVersion(),
              base.vocabSize(),
              base.vocabHash(),
              base.hiddenSize(),
              base.numAttentionHeads(),
              base.intermediateSize(),
              base.layerStack(),
              base.maxPositionEmbeddings(),
              (int) types[0],
              base.hiddenDropout(),
              base.attentionDropout(),
              base.layerNormEps(),
              base.initializerRange(),
              base.sentimentLabels(),
              base.entityLabels(),
              pooling,
              false,
              truncation,
              EntityGateSpec.NONE);
    } catch (IllegalArgumentException e) {
      throw new IOException(e.getMessage(), e);
    }
    try (NDManager manager = NDManager.newBaseManager()) {
      NarrowBertModel model = new NarrowBertModel(config);
      model.initializeWeights(manager, seed);
      List<String> fresh = BertWeightMapping.apply(tensors, model);
      ModelDirectory.save(model, vocabulary, out);
      Files.writeString(out.resolve(NOTICE_FILE), notice);
      return new Result(config, fresh);
    }
  }

  private static long[] shape(Map<String, PretrainedTensor> tensors, String name)
      throws IOException {
    PretrainedTensor tensor = tensors.get(name);
    if (tensor == null) {
      throw new IOException("the pretrained weights have no " + name + ": not a BERT checkpoint");
    }
    return tensor.shape();
  }

  /**
   * Copies {@code from}'s NOTICE, if it has one, into {@code to}: weights derived from pretrained
   * ones (fine-tuned, converted) keep naming their source and licence.
   */
  public static void copyNotice(Path from, Path to) throws IOException {
    Path notice = from.resolve(NOTICE_FILE);
    if (Files.isRegularFile(notice)) {
      Files.copy(
          notice, to.resolve(NOTICE_FILE), java.nio.file.StandardCopyOption.REPLACE_EXISTING);
    }
  }
}
