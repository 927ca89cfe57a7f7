package dev.loadstar.core;

import static org.assertj.core.api.Assertions.assertThat;

import io.vertx.core.Vertx;
import java.lang.management.ManagementFactory;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * Selection allocates nothing: the bytes this thread allocates over many selections through a group, counted by
 * the JVM ({@code com.sun.management.ThreadMXBean#getThreadAllocatedBytes}; a count, not a timing).
 */
class SelectionAllocationTest {

  private static final int SELECTIONS = 200_000;
  private static Vertx vertx;

  @BeforeAll
  static void startVertx() {
    vertx = Vertx.vertx();
  }

  @AfterAll
  static void stopVertx() {
    vertx.close().await();
  }

  static Stream<Arguments> algorithms() {
    List<Arguments> out = new ArrayList<>();
    for (BalancingAlgorithm a : List.of(BalancingAlgorithm.roundRobin(), BalancingAlgorithm.leastOutstandingRequests(),
        BalancingAlgorithm.weightedRandom(), BalancingAlgorithm.weightedRandom(true),
        BalancingAlgorithm.powerOfTwoChoices(), BalancingAlgorithm.peakEwma(), BalancingAlgorithm.ringHash(),
        BalancingAlgorithm.maglev())) {
      // equal weights, unequal weights, and enough unequal targets for the interleaved and windowed forms
      out.add(Arguments.of(a, 3, false));
      out.add(Arguments.of(a, 5, true));
      out.add(Arguments.of(a, 1_000, true));
    }
    return out.stream();
  }

  @ParameterizedTest(name = "{0} over {1} targets, weighted {2}")
  @MethodSource("algorithms")
  void selectionAllocatesNothing(BalancingAlgorithm algorithm, int targets, boolean weighted) {
    TargetGroup group = TargetGroup.create(vertx, TargetGroupConfig.builder("alloc").algorithm(algorithm).build());
    List<Target> ts = new ArrayList<>();
    for (int i = 0; i < targets; i++) {
      ts.add(Target.builder("t" + i, "127.0.0.1", 1 + i).weight(weighted ? 1 + (i * 7919) % 9_973 : 1).build());
    }
    group.register(ts);
    for (RegisteredTarget t : group.targets()) {
      // load and latency for the load-aware algorithms
      int n = t.target().port() % 5;
      for (int i = 0; i < n; i++) {
        t.tryStartRequest();
      }
      t.tryStartRequest();
      t.endRequest(RequestOutcome.SUCCESS, 1_000_000L * (1 + n));
    }
    SelectionContext keyed = SelectionContext.ofKey("user-42");
    com.sun.management.ThreadMXBean mx = (com.sun.management.ThreadMXBean) ManagementFactory.getThreadMXBean();
    long thread = Thread.currentThread().getId();
    select(group, keyed, SELECTIONS); // warm up
    long before = mx.getThreadAllocatedBytes(thread);
    long nulls = select(group, keyed, SELECTIONS);
    long allocated = mx.getThreadAllocatedBytes(thread) - before;
    assertThat(nulls).isZero();
    // one allocation per selection would be at least 16 bytes x 200,000 = 3.2 MB; allow the probe's own bytes
    assertThat(allocated).as("bytes allocated by %d selections", SELECTIONS).isLessThan(1_024);
    group.close();
  }

  @ParameterizedTest(name = "{0} over {1} targets in 3 zones, weighted {2}, cross-zone off")
  @MethodSource("algorithms")
  void zoneLocalSelectionAllocatesNothing(BalancingAlgorithm algorithm, int targets, boolean weighted) {
    TargetGroup group = TargetGroup.create(vertx, TargetGroupConfig.builder("alloc").algorithm(algorithm)
        .crossZoneEnabled(false).build());
    List<Target> ts = new ArrayList<>();
    for (int i = 0; i < targets; i++) {
      ts.add(Target.builder("t" + i, "127.0.0.1", 1 + i).weight(weighted ? 1 + (i * 7919) % 9_973 : 1)
          .zone("zone-" + (char) ('a' + i % 3)).build());
    }
    group.register(ts);
    SelectionContext keyedInA = SelectionContext.ofKey("user-42").withZone("zone-a");
    SelectionContext inB = SelectionContext.inZone("zone-b");
    com.sun.management.ThreadMXBean mx = (com.sun.management.ThreadMXBean) ManagementFactory.getThreadMXBean();
    long thread = Thread.currentThread().getId();
    selectAlternating(group, keyedInA, inB, SELECTIONS);
    long before = mx.getThreadAllocatedBytes(thread);
    long nulls = selectAlternating(group, keyedInA, inB, SELECTIONS);
    long allocated = mx.getThreadAllocatedBytes(thread) - before;
    assertThat(nulls).isZero();
    assertThat(allocated).as("bytes allocated by %d selections", SELECTIONS).isLessThan(1_024);
    group.close();
  }

  private static long selectAlternating(TargetGroup group, SelectionContext a, SelectionContext b, int count) {
    long nulls = 0;
    for (int i = 0; i < count; i++) {
      if (group.select((i & 1) == 0 ? a : b) == null) {
        nulls++;
      }
    }
    return nulls;
  }

  private static long select(TargetGroup group, SelectionContext keyed, int count) {
    long nulls = 0;
    for (int i = 0; i < count; i++) {
      if (group.select((i & 1) == 0 ? keyed : SelectionContext.NONE) == null) {
        nulls++;
      }
    }
    return nulls;
  }
}
