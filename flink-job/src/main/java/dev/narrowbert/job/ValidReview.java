package dev.narrowbert.job;

import dev.narrowbert.schema.Review;

/** A review that decoded and passed validation, with the Kafka record it came from. */
public record ValidReview(Review review, SourceRecord source) {}
