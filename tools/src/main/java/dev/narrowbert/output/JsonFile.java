package dev.narrowbert.output;

import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.nio.file.Path;

/**
 * The one way the benchmarks and the soak write their JSON result files: pretty-printed by Jackson,
 * for a reader to open; the same result goes to stdout as a {@link JsonLine}.
 */
public final class JsonFile {
  private static final ObjectMapper MAPPER = new ObjectMapper();

  private JsonFile() {}

  /** Writes {@code value} (a tree, a map, a record) to {@code file}, indented. */
  public static void write(Path file, Object value) throws IOException {
    MAPPER.writerWithDefaultPrettyPrinter().writeValue(file.toFile(), value);
  }
}
