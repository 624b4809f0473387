package dev.narrowbert.pretrained;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.zip.ZipException;
import java.util.zip.ZipFile;

/**
 * The tensors of a pretrained BERT file under their Hugging Face names, whatever its format: an
 * ONNX model ({@code .onnx}, or the one in a jar) for {@link OnnxBertReader}, or a TensorFlow
 * tensor bundle for {@link TfBertReader} (a {@code variables.index} or checkpoint {@code .index}
 * with its data shards beside it, or one in a jar or zip, also nested as {@link TensorBundleFiles}
 * describes).
 */
public final class PretrainedFile {

  private PretrainedFile() {}

  /**
   * @param preferredEntry the model's entry if {@code file} is a jar (a named source's {@link
   *     PretrainedSource#entry()}), or null to look for one
   * @throws IOException with a one-line reason if the file holds no BERT this can read
   */
  public static Map<String, PretrainedTensor> read(Path file, String preferredEntry)
      throws IOException {
    if (!Files.isRegularFile(file)) {
      throw new IOException("no such file: " + file);
    }
    String name = file.getFileName().toString().toLowerCase(Locale.ROOT);
    if (name.endsWith(".index")) {
      return TfBertReader.read(TensorBundleFiles.besideIndex(file));
    }
    if ((name.endsWith(".jar") || name.endsWith(".zip")) && !holdsOnnx(file)) {
      Optional<TensorBundleFiles> bundle = TensorBundleFiles.inArchive(file, preferredEntry);
      if (bundle.isEmpty()) {
        throw new IOException(
            file + " holds neither an .onnx file nor a TensorFlow tensor bundle (an .index entry)");
      }
      return TfBertReader.read(bundle.get());
    }
    return OnnxBertReader.read(PretrainedSource.onnxBytes(file, preferredEntry), file.toString());
  }

  private static boolean holdsOnnx(Path archive) throws IOException {
    try (ZipFile zip = new ZipFile(archive.toFile())) {
      return zip.stream().anyMatch(e -> e.getName().endsWith(".onnx"));
    } catch (ZipException e) {
      throw new IOException(archive + " is not a jar: " + e.getMessage(), e);
    }
  }
}
