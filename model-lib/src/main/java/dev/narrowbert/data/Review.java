package dev.narrowbert.data;

/**
 * One review of a JSON-lines file.
 *
 * @param id the {@code review_id} (or {@code id}) field as text, or {@code null}
 * @param text the review with HTML line breaks replaced by spaces
 * @param label 1 positive, 0 negative, or {@code null} when unlabelled
 */
public record Review(String id, String text, Integer label) {}
