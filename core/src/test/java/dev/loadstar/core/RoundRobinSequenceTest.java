package dev.loadstar.core;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/**
 * Smooth weighted round robin over selectors: exact sequences for small weights, the interleaved form for weights
 * too large to unroll.
 */
class RoundRobinSequenceTest {

  private static String sequence(TargetSelector selector, int length) {
    StringBuilder sb = new StringBuilder();
    for (int i = 0; i < length; i++) {
      sb.append(selector.select(SelectionContext.NONE).target().id());
    }
    return sb.toString();
  }

  private static List<RegisteredTarget> weighted(int... weights) {
    List<RegisteredTarget> ts = new ArrayList<>();
    for (int i = 0; i < weights.length; i++) {
      ts.add(new FakeTarget(String.valueOf((char) ('a' + i)), weights[i]));
    }
    return ts;
  }

  @Test
  void equalWeightsGoInRegistrationOrder() {
    assertThat(sequence(BalancingAlgorithm.roundRobin().newSelector(weighted(1, 1, 1)), 9)).isEqualTo("abcabcabc");
  }

  @Test
  void fiveOneOneGivesTheSmoothSequence() {
    // nginx's documented example: {a=5, b=1, c=1} -> a a b a c a a
    assertThat(sequence(BalancingAlgorithm.roundRobin().newSelector(weighted(5, 1, 1)), 14))
        .isEqualTo("aabacaa" + "aabacaa");
  }

  @Test
  void threeTwoAndTwoOneInterleave() {
    assertThat(sequence(BalancingAlgorithm.roundRobin().newSelector(weighted(3, 2)), 10)).isEqualTo("ababa" + "ababa");
    assertThat(sequence(BalancingAlgorithm.roundRobin().newSelector(weighted(2, 1)), 6)).isEqualTo("abaaba");
    assertThat(sequence(BalancingAlgorithm.roundRobin().newSelector(weighted(1, 3)), 8)).isEqualTo("babbbabb");
  }

  @Test
  void weightsWithACommonDivisorBehaveLikeTheReducedWeights() {
    assertThat(sequence(BalancingAlgorithm.roundRobin().newSelector(weighted(500, 100, 100)), 7)).isEqualTo("aabacaa");
  }

  @Test
  void fractionalSelectionWeightsKeepTheirRatio() {
    // slow start and mitigation scale weights by fractions: 0.5 vs 1 is 1:2
    List<RegisteredTarget> ts = List.of(FakeTarget.of("a").selectionWeight(0.5), FakeTarget.of("b"));
    assertThat(sequence(BalancingAlgorithm.roundRobin().newSelector(ts), 6)).isEqualTo("babbab");
  }

  @Test
  void zeroWeightTargetsAreSkippedAndAllZeroFailsOpenToEqualWeights() {
    assertThat(sequence(BalancingAlgorithm.roundRobin().newSelector(weighted(1, 0, 1)), 4)).isEqualTo("acac");
    assertThat(sequence(BalancingAlgorithm.roundRobin().newSelector(weighted(0, 0)), 4)).isEqualTo("abab");
  }

  @Test
  void largeWeightsUseTheInterleavedFormWithExactCountsPerPeriod() {
    int[] weights = {10_000, 9_999, 9_998, 9_997, 9_000, 8_000, 7_000, 6_000, 5_003, 1, 3};
    long total = 0;
    for (int w : weights) {
      total += w;
    }
    assertThat(total).as("too long to unroll").isGreaterThan(1 << 16);
    TargetSelector selector = BalancingAlgorithm.roundRobin().newSelector(weighted(weights));
    assertThat(selector.getClass().getSimpleName()).isEqualTo("Interleaved");

    for (int period = 0; period < 2; period++) {
      Map<String, Integer> counts = new HashMap<>();
      String previous = null;
      int run = 0;
      int longestRun = 0;
      for (long i = 0; i < total; i++) {
        String id = selector.select(SelectionContext.NONE).target().id();
        counts.merge(id, 1, Integer::sum);
        run = id.equals(previous) ? run + 1 : 1;
        longestRun = Math.max(longestRun, run);
        previous = id;
      }
      for (int i = 0; i < weights.length; i++) {
        assertThat(counts.get(String.valueOf((char) ('a' + i)))).as("target %d in period %d", i, period)
            .isEqualTo(weights[i]);
      }
      // rounds visit every target whose weight exceeds the round number, so no target runs more than twice
      assertThat(longestRun).isLessThanOrEqualTo(2);
    }
  }

  @Test
  void interleavedRoundsVisitHeavierTargetsFirst() {
    int[] weights = {9_001, 9_001, 9_001, 9_001, 9_001, 9_001, 9_001, 9_001, 2};
    TargetSelector selector = BalancingAlgorithm.roundRobin().newSelector(weighted(weights));
    assertThat(selector.getClass().getSimpleName()).isEqualTo("Interleaved");
    // gcd reduces nothing here: round 0 and 1 visit all nine, later rounds the eight heavy ones
    assertThat(sequence(selector, 9 + 9 + 8 + 8)).isEqualTo("abcdefghi" + "abcdefghi" + "abcdefgh" + "abcdefgh");
  }

  @Test
  void largeButUnrollableWeightsKeepExactCounts() {
    int[] weights = {10_000, 1};
    TargetSelector selector = BalancingAlgorithm.roundRobin().newSelector(weighted(weights));
    assertThat(selector.getClass().getSimpleName()).isEqualTo("Sequence");
    String s = sequence(selector, 10_001);
    assertThat(s.chars().filter(c -> c == 'b').count()).isEqualTo(1);
    // smooth: the light target comes in the middle of the period, not at an edge
    assertThat(s.indexOf('b')).isBetween(4_000, 6_000);
  }
}
