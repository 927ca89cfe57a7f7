package dev.loadstar.core;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import java.util.ArrayList;
import java.util.Collections;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * Consistent hashing ({@code ring_hash}, {@code maglev}) over selectors: stability when a target leaves, spread,
 * weights, and keyless requests.
 *
 * <p>When one of ten equally weighted targets leaves, the ideal is that exactly its keys move: 90% stay in place
 * when it owned exactly a tenth. A real hash gives the leaving target a little more or less than a tenth, so the
 * tests assert what the algorithms promise: the keys of the staying targets stay (all of them for the ring, at
 * least 99% for Maglev), every target owns close to a tenth, and on average over every possible leaver at least
 * 89.5% of all keys stay.
 */
class ConsistentHashingTest {

  static Stream<Arguments> hashing() {
    // algorithm, least share of the staying targets' keys that must stay, how far from 1/10 a target's share may be
    return Stream.of(Arguments.of(BalancingAlgorithm.ringHash(), 1.0, 0.02),
        Arguments.of(BalancingAlgorithm.maglev(), 0.99, 0.01));
  }

  static Stream<BalancingAlgorithm> algorithms() {
    return Stream.of(BalancingAlgorithm.ringHash(), BalancingAlgorithm.maglev());
  }

  private static List<RegisteredTarget> targets(int n) {
    List<RegisteredTarget> ts = new ArrayList<>();
    for (int i = 0; i < n; i++) {
      ts.add(FakeTarget.of("i-" + Integer.toHexString(0x1000 + i * 7919)));
    }
    return ts;
  }

  private static String[] assign(TargetSelector selector, int keys) {
    String[] out = new String[keys];
    for (int k = 0; k < keys; k++) {
      out[k] = selector.select(SelectionContext.ofKey("user-" + k)).target().id();
    }
    return out;
  }

  private static Map<String, Integer> counts(String[] assignment) {
    Map<String, Integer> counts = new HashMap<>();
    for (String id : assignment) {
      counts.merge(id, 1, Integer::sum);
    }
    return counts;
  }

  @ParameterizedTest
  @MethodSource("hashing")
  void keepsAtLeastNinetyPercentOfKeysWhenOneOfTenTargetsLeaves(BalancingAlgorithm algorithm, double othersKept,
      double shareTolerance) {
    int keys = 20_000;
    List<RegisteredTarget> all = targets(10);
    String[] before = assign(algorithm.newSelector(all), keys);
    double keptSum = 0;
    for (RegisteredTarget leaving : all) {
      List<RegisteredTarget> rest = new ArrayList<>(all);
      rest.remove(leaving);
      String[] after = assign(algorithm.newSelector(rest), keys);
      int kept = 0;
      int owned = 0;
      int keptAmongOthers = 0;
      for (int k = 0; k < keys; k++) {
        assertThat(after[k]).isNotEqualTo(leaving.target().id());
        boolean same = before[k].equals(after[k]);
        kept += same ? 1 : 0;
        if (before[k].equals(leaving.target().id())) {
          owned++;
        } else if (same) {
          keptAmongOthers++;
        }
      }
      assertThat(keptAmongOthers / (double) (keys - owned)).as("staying targets' keys kept, %s leaves", leaving)
          .isGreaterThanOrEqualTo(othersKept);
      assertThat(owned / (double) keys).as("share of the leaving target %s", leaving).isCloseTo(0.1, within(shareTolerance));
      keptSum += kept / (double) keys;
    }
    assertThat(keptSum / all.size()).as("keys kept, mean over every leaver").isGreaterThanOrEqualTo(0.895);
  }

  @ParameterizedTest
  @MethodSource("hashing")
  void aKeyStaysOnItsTargetWhenATargetJoinsOrTheListIsReordered(BalancingAlgorithm algorithm, double othersKept,
      double shareTolerance) {
    List<RegisteredTarget> ten = targets(10);
    List<RegisteredTarget> eleven = targets(11);
    String[] before = assign(algorithm.newSelector(ten), 10_000);
    String[] joined = assign(algorithm.newSelector(eleven), 10_000);
    int moved = 0;
    for (int k = 0; k < before.length; k++) {
      if (!before[k].equals(joined[k])) {
        moved++;
        if (othersKept == 1.0) {
          assertThat(joined[k]).as("a ring key only moves to the new target").isEqualTo(eleven.get(10).target().id());
        }
      }
    }
    assertThat(moved / (double) before.length).isCloseTo(1 / 11.0, within(0.02));
    List<RegisteredTarget> shuffled = new ArrayList<>(ten);
    Collections.reverse(shuffled);
    assertThat(assign(algorithm.newSelector(shuffled), 10_000)).containsExactly(before);
  }

  @ParameterizedTest
  @MethodSource("algorithms")
  void spreadsKeysEvenly(BalancingAlgorithm algorithm) {
    // ring hash: within 20% of a fair share; maglev: within sampling noise of it
    double tolerance = algorithm == BalancingAlgorithm.maglev() ? 0.06 : 0.2;
    int n = 10;
    int keys = 50_000;
    Map<String, Integer> counts = counts(assign(algorithm.newSelector(targets(n)), keys));
    assertThat(counts).hasSize(n);
    for (Map.Entry<String, Integer> e : counts.entrySet()) {
      assertThat(e.getValue() * n / (double) keys).as("share of %s relative to fair", e.getKey())
          .isCloseTo(1.0, within(tolerance));
    }
  }

  @ParameterizedTest
  @MethodSource("algorithms")
  void spreadsKeysOverAHundredTargets(BalancingAlgorithm algorithm) {
    int n = 100;
    int keys = 200_000;
    Map<String, Integer> counts = counts(assign(algorithm.newSelector(targets(n)), keys));
    assertThat(counts).hasSize(n);
    for (Map.Entry<String, Integer> e : counts.entrySet()) {
      assertThat(e.getValue() * n / (double) keys).as("share of %s relative to fair", e.getKey())
          .isBetween(0.6, 1.4);
    }
  }

  @ParameterizedTest
  @MethodSource("algorithms")
  void weightsScaleTheShareOfKeys(BalancingAlgorithm algorithm) {
    List<RegisteredTarget> ts = List.of(new FakeTarget("light", 1), new FakeTarget("heavy", 3),
        new FakeTarget("other", 2));
    Map<String, Integer> counts = counts(assign(algorithm.newSelector(ts), 60_000));
    assertThat(counts.get("light") / 60_000.0).isCloseTo(1 / 6.0, within(0.03));
    assertThat(counts.get("heavy") / 60_000.0).isCloseTo(3 / 6.0, within(0.03));
  }

  @ParameterizedTest
  @MethodSource("algorithms")
  void theSameKeyAlwaysGoesToTheSameTarget(BalancingAlgorithm algorithm) {
    TargetSelector selector = algorithm.newSelector(targets(7));
    SelectionContext ctx = SelectionContext.ofKey("session-42");
    RegisteredTarget first = selector.select(ctx);
    for (int i = 0; i < 1000; i++) {
      assertThat(selector.select(ctx)).isSameAs(first);
    }
    assertThat(selector.select(SelectionContext.ofHash(42L))).isSameAs(selector.select(SelectionContext.ofHash(42L)));
  }

  @ParameterizedTest
  @MethodSource("algorithms")
  void requestsWithoutAKeyAreSpreadOverEveryTarget(BalancingAlgorithm algorithm) {
    TargetSelector selector = algorithm.newSelector(targets(4));
    Map<String, Integer> counts = new HashMap<>();
    for (int i = 0; i < 4000; i++) {
      counts.merge(selector.select(SelectionContext.NONE).target().id(), 1, Integer::sum);
    }
    assertThat(counts).hasSize(4);
    assertThat(counts.values()).allSatisfy(c -> assertThat(c).isBetween(700, 1300));
  }

  @Test
  void zeroWeightTargetsGetNoKeysAndAllZeroFailsOpen() {
    for (BalancingAlgorithm a : List.of(BalancingAlgorithm.ringHash(), BalancingAlgorithm.maglev())) {
      FakeTarget idle = new FakeTarget("idle", 0);
      TargetSelector s = a.newSelector(List.of(idle, FakeTarget.of("busy")));
      for (int k = 0; k < 1000; k++) {
        assertThat(s.select(SelectionContext.ofKey("k" + k)).target().id()).isEqualTo("busy");
      }
      // every weight 0: equal weights (fail-open) rather than no target
      assertThat(a.newSelector(List.of(idle)).select(SelectionContext.ofKey("k"))).isSameAs(idle);
    }
  }
}
