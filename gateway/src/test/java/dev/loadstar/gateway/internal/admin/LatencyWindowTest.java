package dev.loadstar.gateway.internal.admin;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

/** The dashboard's p99: log-linear buckets, a sliding window of closed seconds. */
class LatencyWindowTest {

  @Test
  void bucketsCoverEveryLatencyWithAtMostOneEighthOverstatement() {
    int previous = -1;
    for (long micros = 0; micros < 5_000_000; micros += micros < 1000 ? 1 : 997) {
      int i = LatencyWindow.index(micros);
      assertThat(i).isGreaterThanOrEqualTo(previous).isLessThan(LatencyWindow.BUCKETS);
      previous = i;
      long upper = LatencyWindow.upperBound(i);
      assertThat(upper).isGreaterThanOrEqualTo(micros);
      assertThat(upper).isLessThanOrEqualTo(micros + Math.max(0, micros / 8));
    }
    assertThat(LatencyWindow.index(Long.MAX_VALUE)).isEqualTo(LatencyWindow.BUCKETS - 1);
  }

  @Test
  void p99IsTheNinetyNinthOfAHundredAndOnlyClosedSecondsCount() {
    LatencyWindow w = new LatencyWindow(3);
    for (int i = 0; i < 99; i++) {
      w.record(1_000_000); // 1 ms
    }
    w.record(500_000_000); // 500 ms
    assertThat(w.quantileMicros(0.99)).isEqualTo(-1); // the current second is not closed yet
    w.rotate();
    assertThat(w.count()).isEqualTo(100);
    assertThat(w.quantileMicros(0.99)).isBetween(1000L, 1125L);
    assertThat(w.quantileMicros(1.0)).isBetween(500_000L, 562_500L);
  }

  @Test
  void secondsLeaveTheWindowAfterItsLength() {
    LatencyWindow w = new LatencyWindow(3);
    w.record(2_000_000);
    w.rotate();
    w.record(4_000_000);
    w.rotate();
    w.rotate();
    assertThat(w.count()).isEqualTo(2);
    w.rotate(); // the first second leaves
    assertThat(w.count()).isEqualTo(1);
    assertThat(w.quantileMicros(0.5)).isBetween(4000L, 4500L);
    w.rotate();
    assertThat(w.count()).isZero();
    assertThat(w.quantileMicros(0.99)).isEqualTo(-1);
  }
}
