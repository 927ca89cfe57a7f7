package dev.loadstar.core.discovery;

import java.time.Instant;

/**
 * How one source of a group's discovery is doing: its state, how many targets its last good answer held, and
 * when it last succeeded and failed.
 *
 * @param name the source's name within the group's discovery
 * @param type the source's type, e.g. {@code dns}
 * @param description what the source looks at, e.g. {@code SRV _http._tcp.api.internal via 10.0.0.2:53}
 * @param state the state
 * @param targetCount targets in the last good answer (kept while failing); 0 before the first answer
 * @param lastSuccess when the last good answer arrived, or {@code null} if none has
 * @param lastFailure when the last failed attempt was reported, or {@code null} if none was
 * @param lastError the last failure's message, or {@code null} if none was reported
 * @param consecutiveFailures failed attempts since the last good answer
 * @param nextAttempt when the source said it will ask or retry next, or {@code null} when it did not say
 */
public record TargetSourceStatus(String name, String type, String description, State state, int targetCount,
    Instant lastSuccess, Instant lastFailure, String lastError, int consecutiveFailures, Instant nextAttempt) {

  /** A source's state. */
  public enum State {
    /** Started, no answer and no failure yet. */
    PENDING("pending"),
    /** The last attempt succeeded; its answer is applied. */
    OK("ok"),
    /** The last attempt failed; the last good answer (if any) stays applied while the source retries. */
    FAILING("failing"),
    /** The discovery was closed. */
    CLOSED("closed");

    private final String displayName;

    State(String displayName) {
      this.displayName = displayName;
    }

    /** The lower-case name used in describe output. */
    public String displayName() {
      return displayName;
    }
  }

  /** Whether the source has delivered at least one answer. */
  public boolean answered() {
    return lastSuccess != null;
  }
}
