package dev.loadstar.core.internal;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.Test;

class RetryBudgetTest {

  private final AtomicLong nanos = new AtomicLong(1_000L * 1_000_000_000L);

  private void advanceSeconds(long s) {
    nanos.addAndGet(s * 1_000_000_000L);
  }

  @Test
  void allowsOneRetryPerFiveRequestsAtTwentyPercent() {
    RetryBudget budget = new RetryBudget(0.2, 0, nanos::get);
    for (int i = 1; i <= 4; i++) {
      budget.onRequest();
      assertThat(budget.tryRetry()).as("after %d requests", i).isFalse();
    }
    budget.onRequest();
    assertThat(budget.tryRetry()).isTrue();
    assertThat(budget.tryRetry()).isFalse();
    assertThat(budget.requestsInWindow()).isEqualTo(5);
    assertThat(budget.retriesInWindow()).isEqualTo(1);
  }

  @Test
  void floorAllowsMinPerSecondTimesTheWindowWithoutRequests() {
    RetryBudget budget = new RetryBudget(0.0, 2, nanos::get);
    for (int i = 0; i < 2 * RetryBudget.WINDOW_SECONDS; i++) {
      assertThat(budget.tryRetry()).as("retry %d", i).isTrue();
    }
    assertThat(budget.tryRetry()).isFalse();
  }

  @Test
  void countsLeaveTheWindowAfterTenSeconds() {
    RetryBudget budget = new RetryBudget(0.2, 0, nanos::get);
    for (int i = 0; i < 5; i++) {
      budget.onRequest();
    }
    assertThat(budget.tryRetry()).isTrue();
    advanceSeconds(9);
    assertThat(budget.requestsInWindow()).isEqualTo(5);
    assertThat(budget.tryRetry()).isFalse();
    advanceSeconds(1);
    assertThat(budget.requestsInWindow()).isZero();
    assertThat(budget.retriesInWindow()).isZero();
    assertThat(budget.tryRetry()).isFalse();
    for (int i = 0; i < 5; i++) {
      budget.onRequest();
    }
    assertThat(budget.tryRetry()).isTrue();
  }

  @Test
  void slotsAreReusedAcrossWindows() {
    RetryBudget budget = new RetryBudget(1.0, 0, nanos::get);
    for (int s = 0; s < 35; s++) {
      budget.onRequest();
      assertThat(budget.tryRetry()).as("second %d", s).isTrue();
      assertThat(budget.tryRetry()).isFalse();
      advanceSeconds(1);
    }
    // now is second 35: the window holds seconds 26-35, and nothing was counted in second 35 yet
    assertThat(budget.requestsInWindow()).isEqualTo(9);
    assertThat(budget.retriesInWindow()).isEqualTo(9);
  }

  @Test
  void requestsCountedOnManyThreadsAllCountTowardsTheBudget() throws InterruptedException {
    RetryBudget budget = new RetryBudget(0.2, 0, nanos::get);
    Thread[] threads = new Thread[8];
    for (int t = 0; t < threads.length; t++) {
      threads[t] = new Thread(() -> {
        for (int i = 0; i < 5; i++) {
          budget.onRequest();
        }
      });
      threads[t].start();
    }
    for (Thread t : threads) {
      t.join();
    }
    assertThat(budget.requestsInWindow()).isEqualTo(40);
    for (int i = 0; i < 8; i++) {
      assertThat(budget.tryRetry()).as("retry %d", i).isTrue();
    }
    assertThat(budget.tryRetry()).isFalse();
    assertThat(budget.retriesInWindow()).isEqualTo(8);
  }
}
