package dev.loadstar.scaling;

import static org.assertj.core.api.Assertions.assertThat;

import dev.loadstar.scaling.internal.PolicyVoter;
import dev.loadstar.scaling.internal.PolicyVoter.Kind;
import dev.loadstar.scaling.internal.PolicyVoter.Vote;
import org.junit.jupiter.api.Test;

/** Policy votes and how the group combines them: out if any policy asks, in only if all agree. */
class PolicyVoterTest {

  private static PolicyVoter tracking(double target, int outPoints, int inPoints) {
    return new PolicyVoter(ScalingPolicy.targetTracking("tt", "load", () -> 0, target)
        .scaleOutDatapoints(outPoints).scaleInDatapoints(inPoints).build());
  }

  @Test
  void targetTrackingProposesCapacityInProportionAfterEnoughDatapoints() {
    PolicyVoter v = tracking(100, 2, 3);
    assertThat(v.vote(250, 2, 0, 2).kind()).isEqualTo(Kind.HOLD);
    Vote out = v.vote(250, 2, 0, 2);
    assertThat(out.kind()).isEqualTo(Kind.OUT);
    assertThat(out.capacity()).isEqualTo(5);
    // Warming instances are added on top of the measured ones.
    assertThat(tracking(100, 1, 1).vote(150, 2, 1, 3).capacity()).isEqualTo(4);
  }

  @Test
  void targetTrackingScalesInOnlyBelowNinetyPercentOfTheTarget() {
    PolicyVoter v = tracking(100, 1, 1);
    assertThat(v.vote(91, 4, 0, 4).kind()).isEqualTo(Kind.HOLD);
    Vote in = v.vote(40, 4, 0, 4);
    assertThat(in.kind()).isEqualTo(Kind.IN);
    assertThat(in.capacity()).isEqualTo(2);
    assertThat(v.vote(Double.NaN, 4, 0, 4).kind()).isEqualTo(Kind.NO_DATA);
    PolicyVoter noIn = new PolicyVoter(ScalingPolicy.targetTracking("tt", "load", () -> 0, 100)
        .scaleInDatapoints(1).disableScaleIn(true).build());
    assertThat(noIn.vote(0, 4, 0, 4).kind()).isEqualTo(Kind.HOLD);
  }

  @Test
  void stepScalingAppliesTheStepTheMetricFallsIn() {
    ScalingPolicy p = ScalingPolicy.stepScaling("queue-depth", "queue", () -> 0,
            ScalingPolicy.AdjustmentType.CHANGE_IN_CAPACITY)
        .step(null, 10.0, -1).step(10.0, 50.0, 0).step(50.0, 100.0, 1).step(100.0, null, 3).build();
    PolicyVoter v = new PolicyVoter(p);
    assertThat(v.vote(5, 0, 0, 3)).isEqualTo(new Vote(Kind.IN, 2, 5));
    assertThat(v.vote(10, 0, 0, 3).kind()).isEqualTo(Kind.HOLD);
    assertThat(v.vote(50, 0, 0, 3)).isEqualTo(new Vote(Kind.OUT, 4, 50));
    assertThat(v.vote(1000, 0, 0, 3)).isEqualTo(new Vote(Kind.OUT, 6, 1000));
    PolicyVoter pct = new PolicyVoter(ScalingPolicy.stepScaling("pct", "queue", () -> 0,
        ScalingPolicy.AdjustmentType.PERCENT_CHANGE_IN_CAPACITY).step(0.0, null, 10).minAdjustmentMagnitude(2)
        .build());
    assertThat(pct.vote(1, 0, 0, 4).capacity()).isEqualTo(6);
    PolicyVoter exact = new PolicyVoter(ScalingPolicy.stepScaling("exact", "queue", () -> 0,
        ScalingPolicy.AdjustmentType.EXACT_CAPACITY).step(0.0, null, 2).build());
    assertThat(exact.vote(1, 0, 0, 4)).isEqualTo(new Vote(Kind.IN, 2, 1));
  }

  @Test
  void scaleOutIfAnyPolicyAsksScaleInOnlyIfAllAgree() {
    Vote out5 = new Vote(Kind.OUT, 5, 0);
    Vote in2 = new Vote(Kind.IN, 2, 0);
    Vote in3 = new Vote(Kind.IN, 3, 0);
    Vote hold = new Vote(Kind.HOLD, 4, 0);
    Vote none = new Vote(Kind.NO_DATA, 4, 0);
    assertThat(PolicyVoter.combine(new Vote[] {out5, in2}, 4, 1, 10, false)).isEqualTo(5);
    assertThat(PolicyVoter.combine(new Vote[] {in2, in3}, 4, 1, 10, false)).isEqualTo(3);
    assertThat(PolicyVoter.combine(new Vote[] {in2, hold}, 4, 1, 10, false)).isEqualTo(4);
    assertThat(PolicyVoter.combine(new Vote[] {in2, none}, 4, 1, 10, false)).isEqualTo(4);
    assertThat(PolicyVoter.combine(new Vote[] {in2, in3}, 4, 1, 10, true)).isEqualTo(4);
    assertThat(PolicyVoter.combine(new Vote[] {new Vote(Kind.OUT, 50, 0)}, 4, 1, 10, false)).isEqualTo(10);
    assertThat(PolicyVoter.combine(new Vote[] {new Vote(Kind.IN, 0, 0)}, 4, 1, 10, false)).isEqualTo(1);
  }
}
