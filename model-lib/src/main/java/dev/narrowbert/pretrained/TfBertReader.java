package dev.narrowbert.pretrained;

import java.io.IOException;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Reads Google's TensorFlow BERT (google-research/bert {@code modeling.py}; Devlin et al., 2019)
 * from a {@link TensorBundle} and gives its tensors their Hugging Face names, as transformers'
 * {@code convert_bert_original_tf_checkpoint_to_pytorch.py} does.
 *
 * <p>Names: {@code bert/embeddings/word_embeddings} -> {@code embeddings.word_embeddings.weight},
 * {@code layer_N} -> {@code layer.N}, LayerNorm {@code gamma}/{@code beta} -> {@code weight}/{@code
 * bias}, {@code cls/predictions/output_bias} (the bias of the MLM decoder, which is tied to the
 * word embeddings) -> {@code cls.predictions.bias}; a prefix before {@code bert/} or {@code cls/}
 * (TF-Hub's {@code module/}) is dropped. A dense {@code kernel} is stored (in, out) and becomes the
 * (out, in) {@code weight} of a Linear. Optimizer slots ({@code adam_m}, {@code adam_v}), {@code
 * global_step} and anything else outside {@code bert/} and {@code cls/} are not read.
 */
public final class TfBertReader {

  private static final Pattern BERT_NAME = Pattern.compile("^(?:.*?/)?((?:bert|cls)/.*)$");
  private static final Pattern LAYER = Pattern.compile("/layer_(\\d+)/");

  private TfBertReader() {}

  /**
   * Every float tensor of the bundle under its Hugging Face name, kernels transposed.
   *
   * @throws IOException with a one-line reason if the files are not a bundle or hold no BERT
   */
  public static Map<String, PretrainedTensor> read(TensorBundleFiles files) throws IOException {
    TensorBundle bundle = TensorBundle.index(files.index(), files.source());
    Map<String, PretrainedTensor> google =
        bundle.read(name -> huggingFaceName(name) != null, files.shards());
    Map<String, PretrainedTensor> named = new LinkedHashMap<>();
    for (Iterator<PretrainedTensor> it = google.values().iterator(); it.hasNext(); ) {
      PretrainedTensor tensor = it.next();
      it.remove(); // a kernel's transposed copy replaces it: BERT-Base is 440 MB
      String name = huggingFaceName(tensor.name());
      named.put(
          name,
          tensor.name().endsWith("/kernel")
              ? tensor.transposed(name)
              : new PretrainedTensor(name, tensor.shape(), tensor.values()));
    }
    if (named.keySet().stream().noneMatch(n -> n.startsWith("encoder.layer.0."))) {
      throw new IOException(
          files.source()
              + " is a tensor bundle but not Google's BERT (no bert/encoder/layer_0 among "
              + bundle.entries().size()
              + " tensors)");
    }
    return named;
  }

  /**
   * The Hugging Face name of a Google BERT variable, or null for one that is not read (optimizer
   * slots, {@code global_step}, anything outside {@code bert/} and {@code cls/}).
   */
  static String huggingFaceName(String google) {
    Matcher bert = BERT_NAME.matcher(google);
    if (!bert.matches() || google.endsWith("/adam_m") || google.endsWith("/adam_v")) {
      return null;
    }
    String name = bert.group(1);
    name = name.startsWith("bert/") ? name.substring("bert/".length()) : name;
    name = LAYER.matcher(name).replaceAll("/layer/$1/");
    if (name.endsWith("_embeddings")) {
      name += "/weight";
    }
    name = name.replaceFirst("/(gamma|kernel)$", "/weight");
    name = name.replaceFirst("/beta$", "/bias");
    name = name.replace("cls/predictions/output_bias", "cls/predictions/bias");
    return name.replace('/', '.');
  }
}
