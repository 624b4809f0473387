package dev.narrowbert.pretrained;

import com.google.protobuf.CodedOutputStream;
import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.SortedMap;
import java.util.TreeMap;
import java.util.zip.CRC32C;

/**
 * Writes a TensorFlow tensor bundle as {@code BundleWriter} (tensorflow/core/util/tensor_bundle)
 * does: the index is a {@link LevelDbTableWriter} table of a BundleHeaderProto under the empty key
 * and a BundleEntryProto per tensor (dtype, shape, shard_id, offset, size, masked CRC-32C of the
 * bytes), proto3 style (zero fields left out); the shards hold raw little-endian bytes. As in
 * Estimator checkpoints an int64 {@code global_step} is written too. The shards take the tensors
 * round-robin in reverse key order, so offsets do not follow the index's order.
 */
final class TensorBundleWriter {

  private static final int INT64 = 9;

  private final int shards;
  private final LevelDbTableWriter table;

  /**
   * @param compression the index blocks' compression byte (see {@link LevelDbTableWriter})
   */
  TensorBundleWriter(int shards, byte compression) {
    this.shards = shards;
    this.table = new LevelDbTableWriter(256, 4, compression);
  }

  /** The index ({@code .index}) and the data shards, in memory. */
  record Bundle(byte[] index, List<byte[]> shards, int dataBlocks) {

    /** The shards as {@link TensorBundle.Shards}. */
    TensorBundle.Shards opener() {
      return (shard, count) -> new ByteArrayInputStream(shards.get(shard));
    }
  }

  /** The bundle of {@code tensors} (float32, by full name) and a {@code global_step}. */
  Bundle write(SortedMap<String, PretrainedTensor> tensors) throws IOException {
    List<ByteArrayOutputStream> data = new ArrayList<>();
    for (int s = 0; s < shards; s++) {
      data.add(new ByteArrayOutputStream());
    }
    TreeMap<String, byte[]> entries = new TreeMap<>();
    entries.put("", header());
    List<String> names = new ArrayList<>(tensors.keySet());
    Collections.reverse(names);
    names.add(names.size() / 2, "global_step");
    for (int i = 0; i < names.size(); i++) {
      String name = names.get(i);
      int shard = i % shards;
      ByteArrayOutputStream out = data.get(shard);
      long offset = out.size();
      PretrainedTensor tensor = tensors.get(name);
      byte[] bytes;
      if (tensor == null) {
        bytes = ByteBuffer.allocate(8).order(ByteOrder.LITTLE_ENDIAN).putLong(1_000_000L).array();
        entries.put(name, entry(INT64, new long[0], shard, offset, bytes));
      } else {
        ByteBuffer b = ByteBuffer.allocate(tensor.values().length * 4);
        b.order(ByteOrder.LITTLE_ENDIAN).asFloatBuffer().put(tensor.values());
        bytes = b.array();
        entries.put(name, entry(TensorBundle.FLOAT, tensor.shape(), shard, offset, bytes));
      }
      out.writeBytes(bytes);
    }
    byte[] index = table.write(entries);
    List<byte[]> shardBytes = data.stream().map(ByteArrayOutputStream::toByteArray).toList();
    return new Bundle(index, shardBytes, table.dataBlocks());
  }

  private byte[] header() throws IOException {
    ByteArrayOutputStream bytes = new ByteArrayOutputStream();
    CodedOutputStream out = CodedOutputStream.newInstance(bytes);
    out.writeInt32(1, shards); // num_shards; endianness (2) left at LITTLE = 0
    out.writeByteArray(3, new byte[] {0x08, 0x01}); // version { producer: 1 }
    out.flush();
    return bytes.toByteArray();
  }

  private static byte[] entry(int dtype, long[] shape, int shard, long offset, byte[] data)
      throws IOException {
    ByteArrayOutputStream shapeBytes = new ByteArrayOutputStream();
    CodedOutputStream s = CodedOutputStream.newInstance(shapeBytes);
    for (long dim : shape) {
      s.writeByteArray(2, message(1, dim)); // dim { size: dim }
    }
    s.flush();
    CRC32C crc = new CRC32C();
    crc.update(data);
    ByteArrayOutputStream bytes = new ByteArrayOutputStream();
    CodedOutputStream out = CodedOutputStream.newInstance(bytes);
    out.writeEnum(1, dtype);
    out.writeByteArray(2, shapeBytes.toByteArray());
    if (shard != 0) {
      out.writeInt32(3, shard);
    }
    if (offset != 0) {
      out.writeInt64(4, offset);
    }
    out.writeInt64(5, data.length);
    out.writeFixed32(6, LevelDbTable.mask((int) crc.getValue()));
    out.flush();
    return bytes.toByteArray();
  }

  private static byte[] message(int field, long value) throws IOException {
    ByteArrayOutputStream bytes = new ByteArrayOutputStream();
    CodedOutputStream out = CodedOutputStream.newInstance(bytes);
    out.writeInt64(field, value);
    out.flush();
    return bytes.toByteArray();
  }
}
