package dev.narrowbert.job;

import dev.narrowbert.schema.DeadLetter;
import dev.narrowbert.schema.SingleObjectCodec;
import dev.narrowbert.schema.WireFormatException;
import java.nio.charset.StandardCharsets;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.apache.kafka.clients.consumer.ConsumerRecord;

/**
 * What an independent {@code read_committed} consumer found for the events a test sent: every event
 * must have exactly one outcome, a result (by the review id inside the {@code ReviewAnalysis}) or a
 * dead letter (by the original key inside the {@code DeadLetter}).
 *
 * @param sent events the broker acknowledged to the upstream producer
 * @param results committed results
 * @param deadLetters committed dead letters
 * @param duplicates outcomes beyond the first for an event
 * @param lost sent events without any outcome
 * @param unexpected outcomes for events that were never sent
 * @param restarts how often the job restarted meanwhile
 */
record DeliveryTally(
    int sent,
    int results,
    int deadLetters,
    int duplicates,
    int lost,
    int unexpected,
    long restarts) {

  static DeliveryTally count(
      Set<String> sent,
      List<ConsumerRecord<byte[], byte[]>> results,
      List<ConsumerRecord<byte[], byte[]>> deadLetters,
      long restarts)
      throws WireFormatException {
    Map<String, Integer> outcomes = new HashMap<>();
    var analyses = SingleObjectCodec.analyses();
    for (var record : results) {
      outcomes.merge(analyses.decode(record.value()).getReviewId(), 1, Integer::sum);
    }
    var letters = SingleObjectCodec.deadLetters();
    for (var record : deadLetters) {
      DeadLetter letter = letters.decode(record.value());
      byte[] key = new byte[letter.getKey().remaining()];
      letter.getKey().duplicate().get(key);
      outcomes.merge(new String(key, StandardCharsets.UTF_8), 1, Integer::sum);
    }
    int duplicates = 0;
    int unexpected = 0;
    for (var outcome : outcomes.entrySet()) {
      duplicates += outcome.getValue() - 1;
      unexpected += sent.contains(outcome.getKey()) ? 0 : 1;
    }
    int lost = (int) sent.stream().filter(key -> !outcomes.containsKey(key)).count();
    return new DeliveryTally(
        sent.size(), results.size(), deadLetters.size(), duplicates, lost, unexpected, restarts);
  }

  /** The counts in one line, for the test log. */
  String line() {
    return String.format(
        "exactly-once: sent=%d, results=%d, dead letters=%d, duplicates=%d, lost=%d,"
            + " unexpected=%d, restarts=%d",
        sent, results, deadLetters, duplicates, lost, unexpected, restarts);
  }
}
