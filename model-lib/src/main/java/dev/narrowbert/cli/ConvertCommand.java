package dev.narrowbert.cli;

import ai.djl.ndarray.NDManager;
import dev.narrowbert.inference.Precision;
import dev.narrowbert.model.ModelDirectory;
import dev.narrowbert.pretrained.PretrainedImport;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.Locale;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
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
    description = "Copies a model directory with its weights stored in fp16 or fp32.")
public final class ConvertCommand implements Callable<Integer> {

  @Spec private CommandSpec spec;

  @Option(names = "--model", required = true, paramLabel = "DIR", description = "Model to copy.")
  private Path model;

  @Option(names = "--out", required = true, paramLabel = "DIR", description = "New directory.")
  private Path out;

  @Option(names = "--store", defaultValue = "fp16", description = "fp16 or fp32 (default fp16).")
  private String store;

  @Override
  public Integer call() throws IOException {
    Precision precision;
    try {
      precision = Precision.parse(store);
    } catch (IllegalArgumentException e) {
      throw new ParameterException(spec.commandLine(), e.getMessage(), e);
    }
    if (out.toAbsolutePath().normalize().equals(model.toAbsolutePath().normalize())) {
      throw new ParameterException(spec.commandLine(), "--out must differ from --model");
    }
    try (NDManager manager = NDManager.newBaseManager()) {
      ModelDirectory directory = ModelDirectory.load(model, manager);
      precision.castWeights(directory.model(), manager);
      ModelDirectory.save(directory.model(), directory.vocabulary(), out);
    }
    Path notice = model.resolve(PretrainedImport.NOTICE_FILE);
    if (Files.isRegularFile(notice)) {
      Files.copy(
          notice, out.resolve(PretrainedImport.NOTICE_FILE), StandardCopyOption.REPLACE_EXISTING);
    }
    spec.commandLine()
        .getOut()
        .printf(
            Locale.ROOT,
            "wrote %s with %s weights (%.1f MB)%n",
            out,
            store,
            Files.size(out.resolve(ModelDirectory.PARAMS_FILE)) / 1e6);
    return 0;
  }
}
