package dev.narrowbert.inference;

/**
 * A named entity found in a review.
 *
 * @param type entity type without the BIO prefix, e.g. {@code PER}
 * @param text the original text of the span
 * @param start UTF-16 start offset in the original review text
 * @param end UTF-16 end offset (exclusive): the end of the last sub-token of the entity's last word
 * @param score mean probability of the predicted tag over the entity's words
 */
public record Entity(String type, String text, int start, int end, float score) {}
