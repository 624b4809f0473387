package dev.narrowbert.pretrained;

import java.io.ByteArrayOutputStream;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.SortedMap;
import java.util.zip.CRC32C;

/**
 * Writes a LevelDB-format table as LevelDB's {@code TableBuilder} and {@code BlockBuilder} do
 * (doc/table_format.md): prefix-compressed entries with a restart point every {@code
 * restartInterval} entries, a data block cut once it reaches {@code blockSize} bytes, an index
 * block (restart interval 1) whose keys are each block's last key, an empty metaindex block, block
 * trailers with the masked CRC-32C, and the 48-byte footer. Small blocks make a tiny table span
 * many blocks, so the reader's prefix decoding and block walk are exercised as on a real index.
 */
final class LevelDbTableWriter {

  private final int blockSize;
  private final int restartInterval;
  private final byte compression;
  private int dataBlocks;

  /**
   * @param compression the trailer's compression byte (0 none, 1 Snappy); blocks are never actually
   *     compressed, so 1 only serves to test that the reader refuses it
   */
  LevelDbTableWriter(int blockSize, int restartInterval, byte compression) {
    this.blockSize = blockSize;
    this.restartInterval = restartInterval;
    this.compression = compression;
  }

  /** The data blocks the last {@link #write} produced. */
  int dataBlocks() {
    return dataBlocks;
  }

  /** The table of {@code entries}, in their (bytewise = String for ASCII) order. */
  byte[] write(SortedMap<String, byte[]> entries) {
    ByteArrayOutputStream file = new ByteArrayOutputStream();
    Block index = new Block(1);
    Block data = new Block(restartInterval);
    dataBlocks = 0;
    String lastKey = null;
    for (Map.Entry<String, byte[]> entry : entries.entrySet()) {
      data.add(bytes(entry.getKey()), entry.getValue());
      lastKey = entry.getKey();
      if (data.size() >= blockSize) {
        index.add(bytes(lastKey), writeBlock(file, data.finish()));
        data = new Block(restartInterval);
        dataBlocks++;
      }
    }
    if (!data.isEmpty()) {
      index.add(bytes(lastKey), writeBlock(file, data.finish()));
      dataBlocks++;
    }
    byte[] metaindex = writeBlock(file, new Block(1).finish());
    byte[] indexHandle = writeBlock(file, index.finish());
    ByteBuffer footer = ByteBuffer.allocate(LevelDbTable.FOOTER_LENGTH);
    footer.order(ByteOrder.LITTLE_ENDIAN);
    footer.put(metaindex).put(indexHandle);
    footer.putLong(LevelDbTable.FOOTER_LENGTH - 8, LevelDbTable.MAGIC);
    file.writeBytes(footer.array());
    return file.toByteArray();
  }

  /** Appends the block and its trailer; returns its handle (varint offset, varint size). */
  private byte[] writeBlock(ByteArrayOutputStream file, byte[] block) {
    long offset = file.size();
    file.writeBytes(block);
    file.write(compression);
    CRC32C crc = new CRC32C();
    crc.update(block);
    crc.update(compression);
    int masked = LevelDbTable.mask((int) crc.getValue());
    file.writeBytes(ByteBuffer.allocate(4).order(ByteOrder.LITTLE_ENDIAN).putInt(masked).array());
    ByteArrayOutputStream handle = new ByteArrayOutputStream();
    varint(handle, offset);
    varint(handle, block.length);
    return handle.toByteArray();
  }

  private static byte[] bytes(String key) {
    return key.getBytes(StandardCharsets.UTF_8);
  }

  static void varint(ByteArrayOutputStream out, long value) {
    while ((value & ~0x7fL) != 0) {
      out.write((int) ((value & 0x7f) | 0x80));
      value >>>= 7;
    }
    out.write((int) value);
  }

  /** LevelDB's BlockBuilder. */
  private static final class Block {
    private final int restartInterval;
    private final ByteArrayOutputStream buffer = new ByteArrayOutputStream();
    private final List<Integer> restarts = new ArrayList<>(List.of(0));
    private byte[] lastKey = new byte[0];
    private int sinceRestart;
    private boolean empty = true;

    Block(int restartInterval) {
      this.restartInterval = restartInterval;
    }

    void add(byte[] key, byte[] value) {
      int shared = 0;
      if (sinceRestart < restartInterval) {
        int max = Math.min(lastKey.length, key.length);
        while (shared < max && lastKey[shared] == key[shared]) {
          shared++;
        }
      } else {
        restarts.add(buffer.size());
        sinceRestart = 0;
      }
      varint(buffer, shared);
      varint(buffer, key.length - shared);
      varint(buffer, value.length);
      buffer.write(key, shared, key.length - shared);
      buffer.writeBytes(value);
      lastKey = key;
      sinceRestart++;
      empty = false;
    }

    int size() {
      return buffer.size() + 4 * restarts.size() + 4;
    }

    boolean isEmpty() {
      return empty;
    }

    byte[] finish() {
      ByteBuffer tail = ByteBuffer.allocate(4 * restarts.size() + 4).order(ByteOrder.LITTLE_ENDIAN);
      restarts.forEach(tail::putInt);
      tail.putInt(restarts.size());
      buffer.writeBytes(tail.array());
      return buffer.toByteArray();
    }
  }
}
