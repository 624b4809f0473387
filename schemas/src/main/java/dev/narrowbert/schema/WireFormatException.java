package dev.narrowbert.schema;

/** A Kafka value that is not a decodable record of the expected schema, and why. */
public final class WireFormatException extends Exception {

  /** What is wrong with the bytes. */
  public enum Problem {
    /** Not Avro single-object encoding at all (no {@code C3 01} header, too short, null). */
    NOT_SINGLE_OBJECT,
    /** Single-object encoded, but its writer schema is not a known version of the expected one. */
    UNKNOWN_SCHEMA,
    /** The header is right but the body does not decode (truncated, corrupt, bad lengths). */
    MALFORMED
  }

  private final Problem problem;

  public WireFormatException(Problem problem, String message) {
    super(message);
    this.problem = problem;
  }

  public WireFormatException(Problem problem, String message, Throwable cause) {
    super(message, cause);
    this.problem = problem;
  }

  public Problem problem() {
    return problem;
  }
}
