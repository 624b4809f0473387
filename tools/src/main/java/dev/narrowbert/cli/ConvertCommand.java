package dev.narrowbert.cli;

import ai.djl.ndarray.NDManager;
import dev.narrowbert.checkpoint.ModelDirectory;
import dev.narrowbert.inference.Precision;
import dev.narrowbert.model.NarrowBertConfig;
import dev.narrowbert.model.NarrowBertModel;
import dev.narrowbert.pretrained.BertWeightMapping;
import dev.narrowbert.pretrained.PretrainedImport;
import dev.narrowbert.tokenizer.Truncation;
import java.io.IOException;
import java.nio.file.Files;
import java.util.Locale;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.ParameterException;
import picocli.CommandLine.Spec;

/**
 * {@code narrowbert convert --model DIR --out DIR --store fp16}: the same model with its weights
 * stored in another number format. fp16 halves the file; loading always widens to fp32, so only the
 * rounding of each weight to fp16 remains.
 */
@Command(
    name = "convert",
    mixinStandardHelpOptions = true,
    description =
        "Copies a model directory with its weights stored in fp16 or fp32, optionally with fewer"
            + " positions or another truncation.")
public final class ConvertCommand implements Callable<Integer> {

  @Spec private CommandSpec spec;

  @Mixin private DerivedModelOptions models;

  @Option(names = "--store", defaultValue = "fp16", description = "fp16 or fp32 (default fp16).")
  private String store;

  @Option(
      names = "--max-len",
      description =
          "Keep only the first N learned positions: the model's length (and speed) limit.")
  private Integer maxLength;

  @Option(names = "--truncation", description = "head or head_tail: set the model's truncation.")
  private String truncation;

  @Option(
      names = "--model-version",
      paramLabel = "V",
      description = "Set the model's version, which every prediction reports (e.g. 0.3.0).")
  private String modelVersion;

  @Override
  public Integer call() throws IOException {
    Precision precision;
    try {
      precision = Precision.parse(store);
    } catch (IllegalArgumentException e) {
      throw new ParameterException(spec.commandLine(), e.getMessage(), e);
    }
    models.checkOutDiffersFromModel();
    try (NDManager manager = NDManager.newBaseManager()) {
      ModelDirectory directory = ModelDirectory.load(models.model(), manager);
      NarrowBertConfig config = directory.config();
      try {
        if (truncation != null) {
          config = config.withTruncation(Truncation.fromJson(truncation));
        }
        if (modelVersion != null) {
          config = config.withModelVersion(modelVersion);
        }
        if (maxLength != null) {
          if (maxLength < 2 || maxLength > config.maxPositionEmbeddings()) {
            throw new IllegalArgumentException(
                "--max-len must be in [2, " + config.maxPositionEmbeddings() + "]");
          }
          config = config.withMaxPositions(maxLength);
        }
      } catch (IllegalArgumentException e) {
        throw new ParameterException(spec.commandLine(), e.getMessage(), e);
      }
      NarrowBertModel converted = new NarrowBertModel(config);
      converted.initializeWeights(manager, 0);
      BertWeightMapping.copyWeights(directory.model(), converted);
      precision.castWeights(converted, manager);
      ModelDirectory.save(converted, directory.vocabulary(), models.out());
    }
    PretrainedImport.copyNotice(models.model(), models.out());
    spec.commandLine()
        .getOut()
        .printf(
            Locale.ROOT,
            "wrote %s with %s weights (%.1f MB)%n",
            models.out(),
            store,
            Files.size(models.out().resolve(ModelDirectory.PARAMS_FILE)) / 1e6);
    return 0;
  }
}
