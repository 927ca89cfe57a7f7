package dev.loadstar.benchmarks.soak;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

class OpenLoopScheduleTest {

  private static final long SECOND = TimeUnit.SECONDS.toNanos(1);

  @Test
  void flatRateMakesRateRequestsDuePerSecond() {
    assertThat(OpenLoopLoad.due(0, 2000, 0)).isZero();
    assertThat(OpenLoopLoad.due(SECOND, 2000, 0)).isEqualTo(2000);
    assertThat(OpenLoopLoad.due(10 * SECOND, 2000, 0)).isEqualTo(20_000);
  }

  @Test
  void rampMakesHalfTheFullRateDueOverItsLengthThenTheFullRate() {
    long ramp = 10 * SECOND;
    assertThat(OpenLoopLoad.due(ramp, 2000, ramp)).isEqualTo(10_000);
    assertThat(OpenLoopLoad.due(ramp / 2, 2000, ramp)).isEqualTo(2_500); // a quarter: the rate rises linearly
    assertThat(OpenLoopLoad.due(ramp + SECOND, 2000, ramp)).isEqualTo(12_000);
  }

  @Test
  void eachRequestIsDueWhenTheCountReachesIt() {
    for (long ramp : new long[] {0, 10 * SECOND}) {
      for (long n : new long[] {0, 1, 7, 999, 9_999, 10_000, 10_001, 123_456}) {
        long at = OpenLoopLoad.dueAt(n, 2000, ramp);
        assertThat(OpenLoopLoad.due(at, 2000, ramp)).as("ramp %d, request %d", ramp, n).isGreaterThan(n);
        assertThat(OpenLoopLoad.due(at - 1_000, 2000, ramp)).as("ramp %d, request %d", ramp, n)
            .isLessThanOrEqualTo(n);
      }
    }
  }
}
