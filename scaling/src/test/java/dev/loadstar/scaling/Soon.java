package dev.loadstar.scaling;

import java.time.Duration;
import org.awaitility.Awaitility;
import org.awaitility.core.ConditionFactory;

/** Polled waits for tests on fake time, where what is awaited is already under way: checked at once, then often. */
final class Soon {

  private Soon() {
  }

  /** An await that checks at once, then every 5 ms, for at most 30 s. */
  static ConditionFactory soon() {
    return Awaitility.await().pollDelay(Duration.ZERO).pollInterval(Duration.ofMillis(5))
        .atMost(Duration.ofSeconds(30));
  }
}
