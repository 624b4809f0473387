package dev.narrowbert.pretrained;

import com.google.protobuf.CodedInputStream;
import com.google.protobuf.InvalidProtocolBufferException;
import com.google.protobuf.WireFormat;
import java.io.IOException;
import java.util.ArrayList;
import java.util.List;

/**
 * One tensor's entry in a {@link TensorBundle} index: a BundleEntryProto of {@code
 * tensorflow/core/protobuf/tensor_bundle.proto} (dtype = 1, shape = 2 as a TensorShapeProto whose
 * repeated dim = 2 has size = 1, shard_id = 3, offset = 4, size = 5, crc32c = 6, slices = 7). Read
 * with protobuf-java's {@link CodedInputStream}, as {@link OnnxBertReader} reads ONNX, rather than
 * from classes generated from TensorFlow's protos: six fields do not warrant them.
 *
 * @param name the tensor's key in the index
 * @param dtype TensorFlow's DataType number ({@code DT_FLOAT} = 1)
 * @param shape dimensions, outermost first; empty for a scalar
 * @param shard the data shard holding the bytes
 * @param offset where the bytes start in that shard
 * @param size how many bytes
 * @param crc32c the bytes' CRC-32C, masked as LevelDB masks its checksums
 * @param sliced true for a partitioned variable, whose bytes are in slice entries
 */
public record BundleEntry(
    String name,
    int dtype,
    long[] shape,
    int shard,
    long offset,
    long size,
    int crc32c,
    boolean sliced) {

  /**
   * @param source the index's name, for messages
   * @throws IOException if {@code proto} is not a BundleEntryProto
   */
  static BundleEntry parse(String name, byte[] proto, String source) throws IOException {
    int dtype = 0;
    List<Long> dims = new ArrayList<>();
    int shard = 0;
    long offset = 0;
    long size = 0;
    int crc32c = 0;
    boolean sliced = false;
    try {
      CodedInputStream in = CodedInputStream.newInstance(proto);
      for (int tag; (tag = in.readTag()) != 0; ) {
        switch (WireFormat.getTagFieldNumber(tag)) {
          case 1 -> dtype = in.readEnum();
          case 2 -> {
            CodedInputStream shape = in.readBytes().newCodedInput();
            for (int t; (t = shape.readTag()) != 0; ) {
              if (WireFormat.getTagFieldNumber(t) == 2) {
                dims.add(dimSize(shape.readBytes().newCodedInput()));
              } else {
                shape.skipField(t);
              }
            }
          }
          case 3 -> shard = in.readInt32();
          case 4 -> offset = in.readInt64();
          case 5 -> size = in.readInt64();
          case 6 -> crc32c = in.readFixed32();
          case 7 -> {
            sliced = true;
            in.skipField(tag);
          }
          default -> in.skipField(tag);
        }
      }
    } catch (InvalidProtocolBufferException e) {
      throw new IOException(source + ": the entry of " + name + " is not a BundleEntryProto", e);
    }
    long[] shape = dims.stream().mapToLong(Long::longValue).toArray();
    return new BundleEntry(name, dtype, shape, shard, offset, size, crc32c, sliced);
  }

  @Override
  public long[] shape() {
    return shape.clone();
  }

  private static long dimSize(CodedInputStream dim) throws IOException {
    long size = 0;
    for (int tag; (tag = dim.readTag()) != 0; ) {
      if (WireFormat.getTagFieldNumber(tag) == 1) {
        size = dim.readInt64();
      } else {
        dim.skipField(tag);
      }
    }
    return size;
  }
}
