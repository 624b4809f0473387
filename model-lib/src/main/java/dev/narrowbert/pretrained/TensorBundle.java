package dev.narrowbert.pretrained;

import com.google.protobuf.CodedInputStream;
import com.google.protobuf.WireFormat;
import java.io.EOFException;
import java.io.IOException;
import java.io.InputStream;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.function.Predicate;
import java.util.zip.CRC32C;

/**
 * A TensorFlow tensor bundle, the variables of a checkpoint or SavedModel: {@code PREFIX.index}
 * names every tensor and {@code PREFIX.data-NNNNN-of-MMMMM} shards hold their bytes
 * (tensorflow/core/util/tensor_bundle/tensor_bundle.h).
 *
 * <p>The index is a {@link LevelDbTable} whose values are protobufs of {@code
 * tensorflow/core/protobuf/tensor_bundle.proto}: the empty key holds a BundleHeaderProto
 * (num_shards = 1, endianness = 2 with LITTLE = 0; read with protobuf-java's {@link
 * CodedInputStream}), every other key a tensor's {@link BundleEntry}. A tensor's bytes are {@code
 * [offset, offset + size)} of its shard, raw and in the header's byte order; optimizer slots and
 * other tensors the caller does not want are skipped, not read.
 */
public final class TensorBundle {

  /** TensorFlow's {@code DT_FLOAT}. */
  static final int FLOAT = 1;

  /** Opens data shard {@code shard} (0-based) of {@code count}. */
  @FunctionalInterface
  public interface Shards {
    InputStream open(int shard, int count) throws IOException;
  }

  private final String source;
  private final int shardCount;
  private final Map<String, BundleEntry> entries;

  private TensorBundle(String source, int shardCount, Map<String, BundleEntry> entries) {
    this.source = source;
    this.shardCount = shardCount;
    this.entries = entries;
  }

  /**
   * Parses an index.
   *
   * @param source the index's name, for messages
   * @throws IOException with a one-line reason if the bytes are not a bundle index
   */
  public static TensorBundle index(byte[] index, String source) throws IOException {
    Map<String, byte[]> table = LevelDbTable.read(index, source);
    byte[] header = table.get("");
    if (header == null) {
      throw new IOException(source + " has no bundle header: not a TensorFlow tensor bundle");
    }
    int shardCount = 1;
    CodedInputStream in = CodedInputStream.newInstance(header);
    for (int tag; (tag = in.readTag()) != 0; ) {
      switch (WireFormat.getTagFieldNumber(tag)) {
        case 1 -> shardCount = in.readInt32();
        case 2 -> {
          if (in.readEnum() != 0) {
            throw new IOException(source + " is a big-endian bundle; only little-endian is read");
          }
        }
        default -> in.skipField(tag);
      }
    }
    Map<String, BundleEntry> entries = new LinkedHashMap<>();
    for (Map.Entry<String, byte[]> e : table.entrySet()) {
      if (!e.getKey().isEmpty()) {
        entries.put(e.getKey(), BundleEntry.parse(e.getKey(), e.getValue(), source));
      }
    }
    return new TensorBundle(source, shardCount, entries);
  }

  /** Every tensor's entry by name, in key order. */
  public Map<String, BundleEntry> entries() {
    return entries;
  }

  /** The number of data shards the header declares. */
  public int shardCount() {
    return shardCount;
  }

  /**
   * The float32 tensors whose names {@code wanted} accepts, in key order, each checked against its
   * CRC-32C. Each shard is read once, front to back, so a shard can be a stream (a jar's entry).
   *
   * @throws IOException naming the tensor, if one is not float32, is partitioned, or its bytes are
   *     missing or corrupt
   */
  public Map<String, PretrainedTensor> read(Predicate<String> wanted, Shards shards)
      throws IOException {
    List<BundleEntry> chosen = new ArrayList<>();
    for (BundleEntry entry : entries.values()) {
      if (wanted.test(entry.name())) {
        check(entry);
        chosen.add(entry);
      }
    }
    Map<String, PretrainedTensor> tensors = new LinkedHashMap<>();
    chosen.forEach(entry -> tensors.put(entry.name(), null)); // key order, filled in shard order
    for (int shard = 0; shard < shardCount; shard++) {
      final int s = shard;
      List<BundleEntry> inShard =
          chosen.stream()
              .filter(e -> e.shard() == s)
              .sorted(Comparator.comparingLong(BundleEntry::offset))
              .toList();
      if (!inShard.isEmpty()) {
        try (InputStream in = shards.open(shard, shardCount)) {
          readShard(in, shard, inShard, tensors);
        }
      }
    }
    return tensors;
  }

  private void check(BundleEntry entry) throws IOException {
    String tensor = source + ": tensor " + entry.name();
    long count = Arrays.stream(entry.shape()).reduce(1, (a, b) -> a * b);
    if (entry.sliced()) {
      throw new IOException(tensor + " is partitioned into slices, which is not read");
    }
    if (entry.dtype() != FLOAT) {
      throw new IOException(
          tensor
              + " has TensorFlow dtype "
              + entry.dtype()
              + "; only float32 (DT_FLOAT = 1) is read");
    }
    if (entry.size() != count * Float.BYTES || entry.size() > Integer.MAX_VALUE) {
      throw new IOException(
          String.format(
              "%s has %d bytes but its shape %s needs %d float32 bytes",
              tensor, entry.size(), PretrainedTensor.describe(entry.shape()), count * Float.BYTES));
    }
    if (entry.shard() < 0 || entry.shard() >= shardCount) {
      throw new IOException(
          tensor + " is in shard " + entry.shard() + " but the header declares " + shardCount);
    }
  }

  /** Reads {@code inShard} (sorted by offset) from the shard's stream into {@code tensors}. */
  private void readShard(
      InputStream in, int shard, List<BundleEntry> inShard, Map<String, PretrainedTensor> tensors)
      throws IOException {
    long position = 0;
    for (BundleEntry entry : inShard) {
      if (entry.offset() < position) {
        throw new IOException(source + ": tensor " + entry.name() + " overlaps the one before it");
      }
      byte[] bytes;
      try {
        in.skipNBytes(entry.offset() - position);
        bytes = in.readNBytes((int) entry.size());
      } catch (EOFException e) {
        bytes = new byte[0];
      }
      if (bytes.length < entry.size()) {
        throw new IOException(
            String.format(
                "%s: data shard %d of %d ends inside tensor %s (bytes %d to %d): truncated",
                source,
                shard,
                shardCount,
                entry.name(),
                entry.offset(),
                entry.offset() + entry.size()));
      }
      position = entry.offset() + entry.size();
      CRC32C crc = new CRC32C();
      crc.update(bytes);
      if ((int) crc.getValue() != LevelDbTable.unmask(entry.crc32c())) {
        throw new IOException(
            source + ": tensor " + entry.name() + " fails its CRC-32C checksum: corrupt data");
      }
      float[] values = new float[bytes.length / Float.BYTES];
      ByteBuffer.wrap(bytes).order(ByteOrder.LITTLE_ENDIAN).asFloatBuffer().get(values);
      tensors.put(entry.name(), new PretrainedTensor(entry.name(), entry.shape(), values));
    }
  }
}
