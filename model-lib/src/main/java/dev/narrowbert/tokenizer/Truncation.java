package dev.narrowbert.tokenizer;

import com.fasterxml.jackson.annotation.JsonCreator;
import com.fasterxml.jackson.annotation.JsonValue;
import java.util.Locale;

/**
 * Which tokens of a review longer than the model's length are kept.
 *
 * <p>{@link #HEAD} keeps the beginning. {@link #HEAD_TAIL} keeps the first quarter of the budget
 * from the beginning and the rest from the end: Sun et al., "How to Fine-Tune BERT for Text
 * Classification?" (CCL 2019, arXiv 1905.05583) found head 128 + tail 382 of 512 best on IMDB,
 * because reviews tend to end with their verdict. The tail starts at a word boundary, so every kept
 * word has its first sub-token (the NER query) and offsets still index into the text.
 */
public enum Truncation {
  HEAD,
  HEAD_TAIL;

  /** Of {@code budget} tokens (without [CLS] and [SEP]), how many come from the beginning. */
  public int headTokens(int budget) {
    return this == HEAD ? budget : budget / 4;
  }

  @JsonValue
  public String jsonName() {
    return name().toLowerCase(Locale.ROOT);
  }

  @JsonCreator
  public static Truncation fromJson(String name) {
    for (Truncation truncation : values()) {
      if (truncation.jsonName().equals(name)) {
        return truncation;
      }
    }
    throw new IllegalArgumentException(
        "unknown truncation '" + name + "' (expected head or head_tail)");
  }
}
