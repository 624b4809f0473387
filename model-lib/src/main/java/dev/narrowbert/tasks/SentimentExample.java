package dev.narrowbert.tasks;

import dev.narrowbert.tokenizer.Encoding;

/**
 * A tokenised labelled review.
 *
 * @param encoding {@code [CLS] ... [SEP]}, truncated to the fine-tuning length
 * @param label class id (index into the config's sentiment labels)
 */
public record SentimentExample(Encoding encoding, int label) {}
