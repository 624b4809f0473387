package dev.narrowbert.pretrained;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.zip.CRC32C;

/**
 * Reads a LevelDB-format sorted table (SSTable), the container of a TensorFlow tensor bundle's
 * {@code variables.index}, into its key/value pairs in key order. The format is LevelDB's {@code
 * doc/table_format.md}, which TensorFlow copies in {@code tensorflow/core/lib/io/table_format.txt}
 * and {@code format.cc}.
 *
 * <p>Layout: data blocks, a metaindex block, an index block, then a 48-byte footer (metaindex and
 * index block handles as varint64 offset + size, zero padding to 40 bytes, the little-endian magic
 * {@code 0xdb4775248b80fb57}). Every block is followed by a 5-byte trailer: a compression byte and
 * the masked CRC-32C of the block and that byte. A block holds prefix-compressed entries (varint32
 * shared key bytes, varint32 unshared key bytes, varint32 value length, the unshared key bytes, the
 * value), then the uint32 offsets of its restart points (entries that share nothing) and their
 * count. Each index entry's value is the handle of one data block.
 *
 * <p>Why this reader exists: the only maintained Java readers of these tables come with TensorFlow
 * Java's native library; a bundle index is a few kilobytes, so a hundred lines of checked parsing
 * are lighter than a platform binary. TensorFlow writes bundle indexes uncompressed ({@code
 * BundleWriter} sets {@code kNoCompression}); a Snappy block is refused by name rather than read.
 */
public final class LevelDbTable {

  static final long MAGIC = 0xdb4775248b80fb57L;
  static final int FOOTER_LENGTH = 48;
  static final int TRAILER_LENGTH = 5;
  private static final int SNAPPY = 1;

  private LevelDbTable() {}

  /**
   * Every entry of the table, keys (UTF-8) in their stored order.
   *
   * @throws IOException with a one-line reason naming {@code source} if the bytes are not a whole,
   *     intact table
   */
  public static Map<String, byte[]> read(byte[] table, String source) throws IOException {
    if (table.length < FOOTER_LENGTH) {
      throw new IOException(
          source
              + " is truncated: "
              + table.length
              + " bytes, less than the 48-byte footer of a LevelDB table");
    }
    ByteBuffer footer =
        ByteBuffer.wrap(table, table.length - FOOTER_LENGTH, FOOTER_LENGTH)
            .order(ByteOrder.LITTLE_ENDIAN);
    long magic = footer.getLong(table.length - 8);
    if (magic != MAGIC) {
      throw new IOException(
          String.format(
              "%s does not end with the LevelDB table magic 0xdb4775248b80fb57 (found 0x%016x):"
                  + " truncated, or not a TensorFlow variables.index",
              source, magic));
    }
    Cursor handles = new Cursor(table, table.length - FOOTER_LENGTH, table.length - 8, source);
    handles.varint(); // the metaindex block: TensorFlow keeps no filters or stats in it
    handles.varint();
    long indexOffset = handles.varint();
    long indexSize = handles.varint();
    Map<String, byte[]> entries = new LinkedHashMap<>();
    byte[] previousKey = null;
    for (Map.Entry<byte[], byte[]> index : block(table, indexOffset, indexSize, source)) {
      Cursor handle = new Cursor(index.getValue(), 0, index.getValue().length, source);
      for (Map.Entry<byte[], byte[]> entry :
          block(table, handle.varint(), handle.varint(), source)) {
        byte[] key = entry.getKey();
        if (previousKey != null && Arrays.compareUnsigned(previousKey, key) >= 0) {
          throw new IOException(source + " is corrupt: its keys are not in ascending order");
        }
        previousKey = key;
        entries.put(new String(key, StandardCharsets.UTF_8), entry.getValue());
      }
    }
    return entries;
  }

  /** The entries of the block at {@code offset}, checked against its trailer. */
  private static List<Map.Entry<byte[], byte[]>> block(
      byte[] table, long offset, long size, String source) throws IOException {
    long end = offset + size + TRAILER_LENGTH;
    if (offset < 0 || size < 4 || end > table.length - FOOTER_LENGTH) {
      throw new IOException(
          source
              + " is truncated or corrupt: a block at byte "
              + offset
              + " of size "
              + size
              + " runs past the table's end");
    }
    int start = (int) offset;
    int length = (int) size;
    int type = table[start + length] & 0xff;
    CRC32C crc = new CRC32C();
    crc.update(table, start, length + 1); // the block and its type byte
    int stored =
        ByteBuffer.wrap(table, start + length + 1, 4).order(ByteOrder.LITTLE_ENDIAN).getInt();
    if (unmask(stored) != (int) crc.getValue()) {
      throw new IOException(
          source + " is corrupt: the block at byte " + offset + " fails its CRC-32C checksum");
    }
    if (type == SNAPPY) {
      throw new IOException(
          source
              + " has a Snappy-compressed block at byte "
              + offset
              + "; TensorFlow writes bundle indexes uncompressed and this reader does not inflate"
              + " Snappy");
    }
    if (type != 0) {
      throw new IOException(
          source + " has a block at byte " + offset + " of unknown compression type " + type);
    }
    ByteBuffer tail = ByteBuffer.wrap(table).order(ByteOrder.LITTLE_ENDIAN);
    int restarts = tail.getInt(start + length - 4);
    long restartsStart = start + length - 4 - 4L * restarts;
    if (restarts < 1 || restartsStart < start) {
      throw new IOException(
          source + " is corrupt: the block at byte " + offset + " has no entries");
    }
    Map<Integer, Integer> sharedAt = new HashMap<>(); // entry offset -> its shared key bytes
    List<Map.Entry<byte[], byte[]>> entries = new ArrayList<>();
    byte[] key = new byte[0];
    int entriesEnd = (int) restartsStart;
    Cursor c = new Cursor(table, start, entriesEnd, source);
    while (c.position < entriesEnd) {
      int entryOffset = c.position - start;
      int shared = (int) c.varint();
      int unshared = (int) c.varint();
      int valueLength = (int) c.varint();
      if (shared > key.length) {
        throw new IOException(
            source + " is corrupt: an entry at byte " + (start + entryOffset) + " shares too much");
      }
      sharedAt.put(entryOffset, shared);
      key = concat(Arrays.copyOf(key, shared), c.bytes(unshared));
      entries.add(Map.entry(key, c.bytes(valueLength)));
    }
    for (int r = 0; r < restarts; r++) {
      Integer shared = sharedAt.get(tail.getInt(entriesEnd + 4 * r));
      if (shared == null || shared != 0) {
        throw new IOException(
            source + " is corrupt: a restart point of the block at byte " + offset + " is wrong");
      }
    }
    return entries;
  }

  /** LevelDB stores CRCs masked (rotated right by 15, plus a constant); this undoes it. */
  static int unmask(int masked) {
    int rotated = masked - 0xa282ead8;
    return (rotated >>> 17) | (rotated << 15);
  }

  /** The masked form of {@code crc}, as LevelDB and TensorFlow store it. */
  static int mask(int crc) {
    return ((crc >>> 15) | (crc << 17)) + 0xa282ead8;
  }

  private static byte[] concat(byte[] a, byte[] b) {
    byte[] out = Arrays.copyOf(a, a.length + b.length);
    System.arraycopy(b, 0, out, a.length, b.length);
    return out;
  }

  /** Reads varints and byte runs in {@code [position, limit)}, refusing to pass the limit. */
  private static final class Cursor {
    private final byte[] bytes;
    private final int limit;
    private final String source;
    private int position;

    Cursor(byte[] bytes, int position, int limit, String source) {
      this.bytes = bytes;
      this.position = position;
      this.limit = limit;
      this.source = source;
    }

    long varint() throws IOException {
      long value = 0;
      for (int shift = 0; shift < 64; shift += 7) {
        if (position >= limit) {
          throw new IOException(source + " is corrupt: a number runs past its block");
        }
        byte b = bytes[position++];
        value |= (long) (b & 0x7f) << shift;
        if (b >= 0) {
          return value;
        }
      }
      throw new IOException(source + " is corrupt: a number is longer than 10 bytes");
    }

    byte[] bytes(int n) throws IOException {
      if (n < 0 || n > limit - position) {
        throw new IOException(source + " is corrupt: an entry runs past its block");
      }
      position += n;
      return Arrays.copyOfRange(bytes, position - n, position);
    }
  }
}
