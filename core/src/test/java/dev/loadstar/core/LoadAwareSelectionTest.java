package dev.loadstar.core;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import dev.loadstar.core.internal.DefaultRegisteredTarget;
import dev.loadstar.core.internal.algorithm.Algorithms;
import io.vertx.core.Vertx;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ThreadLocalRandom;
import org.junit.jupiter.api.Test;

/**
 * Selector-level behaviour of the load-aware algorithms: least outstanding requests, power of two choices and
 * peak EWMA.
 */
class LoadAwareSelectionTest {

  private static List<FakeTarget> fakes(int n) {
    List<FakeTarget> ts = new ArrayList<>();
    for (int i = 0; i < n; i++) {
      ts.add(FakeTarget.of("t" + i));
    }
    return ts;
  }

  private static String ids(TargetSelector s, int count) {
    StringBuilder sb = new StringBuilder();
    for (int i = 0; i < count; i++) {
      sb.append(((FakeTarget) s.select(SelectionContext.NONE)).id()).append(' ');
    }
    return sb.toString().trim();
  }

  @Test
  void leastOutstandingRequestsPicksTheTargetWithFewestInFlight() {
    List<FakeTarget> ts = fakes(4);
    ts.get(0).inFlight(3);
    ts.get(1).inFlight(1);
    ts.get(2).inFlight(2);
    ts.get(3).inFlight(5);
    TargetSelector s = BalancingAlgorithm.leastOutstandingRequests().newSelector(List.copyOf(ts));
    for (int i = 0; i < 10; i++) {
      assertThat(s.select(SelectionContext.NONE)).isSameAs(ts.get(1));
    }
  }

  @Test
  void leastOutstandingRequestsBreaksTiesRoundRobin() {
    List<FakeTarget> ts = fakes(3);
    TargetSelector s = BalancingAlgorithm.leastOutstandingRequests().newSelector(List.copyOf(ts));
    assertThat(ids(s, 6)).isEqualTo("t0 t1 t2 t0 t1 t2");
    // t1 and t2 tie at 1 in flight, t0 is busier: the tie alternates
    ts.get(0).inFlight(4);
    ts.get(1).inFlight(1);
    ts.get(2).inFlight(1);
    TargetSelector tied = BalancingAlgorithm.leastOutstandingRequests().newSelector(List.copyOf(ts));
    assertThat(ids(tied, 6)).isEqualTo("t1 t1 t2 t1 t1 t2");
  }

  @Test
  void leastOutstandingRequestsFollowsLoadAsRequestsStartAndEnd() {
    List<FakeTarget> ts = fakes(2);
    TargetSelector s = BalancingAlgorithm.leastOutstandingRequests().newSelector(List.copyOf(ts));
    RegisteredTarget first = s.select(SelectionContext.NONE);
    first.tryStartRequest();
    RegisteredTarget second = s.select(SelectionContext.NONE);
    assertThat(second).isNotSameAs(first);
    second.tryStartRequest();
    second.tryStartRequest();
    assertThat(s.select(SelectionContext.NONE)).isSameAs(first);
    second.endRequest(RequestOutcome.SUCCESS, 1);
    second.endRequest(RequestOutcome.SUCCESS, 1);
    first.tryStartRequest();
    assertThat(s.select(SelectionContext.NONE)).isSameAs(second);
  }

  @Test
  void leastOutstandingRequestsWeighsLoadByWeight() {
    // (inFlight + 1) / weight: heavy (weight 4) with 5 in flight scores 1.5, light (weight 1) with 1 scores 2
    FakeTarget heavy = new FakeTarget("heavy", 4).inFlight(5);
    FakeTarget light = new FakeTarget("light", 1).inFlight(1);
    TargetSelector s = BalancingAlgorithm.leastOutstandingRequests().newSelector(List.of(light, heavy));
    assertThat(s.select(SelectionContext.NONE)).isSameAs(heavy);
    heavy.inFlight(8);
    assertThat(s.select(SelectionContext.NONE)).isSameAs(light);
  }

  @Test
  void beyondTheScanLimitEachSelectionTakesTheLeastLoadedOfItsWindowAndWindowsCoverEveryTarget() {
    int window = Algorithms.LOR_EXACT_SCAN_LIMIT;
    int n = window * 10;
    List<FakeTarget> ts = fakes(n);
    ThreadLocalRandom r = ThreadLocalRandom.current();
    for (FakeTarget t : ts) {
      t.inFlight(1 + r.nextInt(20));
    }
    int idle = 3 * window + 17;
    ts.get(idle).inFlight(0);
    TargetSelector s = BalancingAlgorithm.leastOutstandingRequests().newSelector(List.copyOf(ts));
    int idleHits = 0;
    for (int k = 0; k < 30; k++) {
      RegisteredTarget picked = s.select(SelectionContext.NONE);
      int start = (k % 10) * window;
      int best = start;
      for (int i = start; i < start + window; i++) {
        if (ts.get(i).inFlight() < ts.get(best).inFlight()) {
          best = i;
        }
      }
      assertThat(picked).as("selection %d", k).isSameAs(ts.get(best));
      idleHits += picked == ts.get(idle) ? 1 : 0;
    }
    // the idle target is found once per pass over the windows, not on every selection (the approximation)
    assertThat(idleHits).isEqualTo(3);
  }

  @Test
  void anExactScanLimitAboveTheTargetCountAlwaysFindsTheGlobalMinimum() {
    List<FakeTarget> ts = fakes(1000);
    ThreadLocalRandom r = ThreadLocalRandom.current();
    for (FakeTarget t : ts) {
      t.inFlight(1 + r.nextInt(20));
    }
    ts.get(777).inFlight(0);
    TargetSelector s = Algorithms.leastOutstandingRequests(Integer.MAX_VALUE).newSelector(List.copyOf(ts));
    for (int k = 0; k < 20; k++) {
      assertThat(s.select(SelectionContext.NONE)).isSameAs(ts.get(777));
    }
  }

  @Test
  void powerOfTwoChoicesNeverPicksTheMostLoadedAndFavoursTheLeastLoaded() {
    List<FakeTarget> ts = fakes(10);
    for (int i = 0; i < 10; i++) {
      ts.get(i).inFlight(i);
    }
    TargetSelector s = BalancingAlgorithm.powerOfTwoChoices().newSelector(List.copyOf(ts));
    Map<RegisteredTarget, Integer> counts = new HashMap<>();
    int draws = 45_000;
    for (int i = 0; i < draws; i++) {
      counts.merge(s.select(SelectionContext.NONE), 1, Integer::sum);
    }
    assertThat(counts).doesNotContainKey(ts.get(9));
    // the least loaded wins whenever it is one of the two candidates: 1 - C(9,2)/C(10,2) = 0.2
    assertThat(counts.get(ts.get(0)) / (double) draws).isCloseTo(0.2, within(0.015));
    // the second least loaded wins when drawn without the first: 8/45
    assertThat(counts.get(ts.get(1)) / (double) draws).isCloseTo(8 / 45.0, within(0.015));
  }

  @Test
  void powerOfTwoChoicesWithTwoTargetsAlwaysPicksTheLessLoaded() {
    List<FakeTarget> ts = fakes(2);
    ts.get(0).inFlight(2);
    TargetSelector s = BalancingAlgorithm.powerOfTwoChoices().newSelector(List.copyOf(ts));
    for (int i = 0; i < 100; i++) {
      assertThat(s.select(SelectionContext.NONE)).isSameAs(ts.get(1));
    }
  }

  @Test
  void peakEwmaPrefersTheFasterTargetUntilItIsLoaded() {
    FakeTarget slow = FakeTarget.of("slow").latencyNanos(10_000_000);
    FakeTarget fast = FakeTarget.of("fast").latencyNanos(1_000_000);
    TargetSelector s = BalancingAlgorithm.peakEwma().newSelector(List.of(slow, fast));
    for (int i = 0; i < 100; i++) {
      assertThat(s.select(SelectionContext.NONE)).isSameAs(fast);
    }
    // 1 ms x (9 + 1) = 10 ms ties with the idle slow target; at 10 in flight the fast one costs more
    fast.inFlight(10);
    assertThat(s.select(SelectionContext.NONE)).isSameAs(slow);
    fast.inFlight(8);
    assertThat(s.select(SelectionContext.NONE)).isSameAs(fast);
  }

  @Test
  void peakEwmaComparesATargetWithoutSamplesByInFlightOnly() {
    FakeTarget measured = FakeTarget.of("measured").latencyNanos(1_000);
    FakeTarget fresh = FakeTarget.of("fresh");
    TargetSelector s = BalancingAlgorithm.peakEwma().newSelector(List.of(measured, fresh));
    measured.inFlight(1);
    assertThat(s.select(SelectionContext.NONE)).isSameAs(fresh);
    fresh.inFlight(2);
    assertThat(s.select(SelectionContext.NONE)).isSameAs(measured);
  }

  @Test
  void peakEwmaJumpsToASlowSampleAndDecaysWhileIdle() {
    Vertx vertx = Vertx.vertx();
    try {
      TargetGroup group = TargetGroup.create(vertx, TargetGroupConfig.builder("ewma").build());
      DefaultRegisteredTarget t = (DefaultRegisteredTarget) group.register(Target.of("a", "127.0.0.1", 1));
      assertThat(t.latencyEwmaNanos()).isZero();
      assertThat(t.tryStartRequest()).isTrue();
      t.endRequest(RequestOutcome.SUCCESS, 5_000_000);
      assertThat(t.tryStartRequest()).isTrue();
      t.endRequest(RequestOutcome.SUCCESS, 100_000_000);
      // peak: a slower sample replaces the estimate at once
      assertThat(t.latencyEwmaNanos()).isEqualTo(100_000_000);
      long now = System.nanoTime();
      long later = t.latencyEwmaNanos(now + 10_000_000_000L);
      // read 10 s later, with no new sample: decayed by about e (time constant 10 s)
      assertThat((double) later).isCloseTo(100_000_000 / Math.E, within(2_000_000.0));
      assertThat(t.latencyEwmaNanos(now + 100_000_000_000L)).isLessThan(10_000);
      group.close();
    } finally {
      vertx.close().await();
    }
  }

  @Test
  void selectorsOfAlgorithmsThatNeedLoadSaySo() {
    assertThat(BalancingAlgorithm.leastOutstandingRequests().usesInFlight()).isTrue();
    assertThat(BalancingAlgorithm.powerOfTwoChoices().usesInFlight()).isTrue();
    assertThat(BalancingAlgorithm.peakEwma().usesInFlight()).isTrue();
    assertThat(BalancingAlgorithm.roundRobin().usesInFlight()).isFalse();
    assertThat(BalancingAlgorithm.weightedRandom().usesInFlight()).isFalse();
    assertThat(BalancingAlgorithm.ringHash().usesInFlight()).isFalse();
    assertThat(BalancingAlgorithm.maglev().usesInFlight()).isFalse();
  }
}
