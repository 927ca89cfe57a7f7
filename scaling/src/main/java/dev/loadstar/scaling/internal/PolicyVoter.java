package dev.loadstar.scaling.internal;

import dev.loadstar.scaling.ScalingPolicy;
import dev.loadstar.scaling.ScalingPolicy.StepAdjustment;

/**
 * One policy's evaluation state: consecutive datapoints asking for more or less capacity, and the vote they lead
 * to. Pure and single-threaded (the group's context), so it is tested without timers.
 */
public final class PolicyVoter {

  /** Target tracking scales in only below this share of the target value (Auto Scaling's low alarm). */
  public static final double SCALE_IN_THRESHOLD = 0.9;

  /** What a policy wants this period. */
  public enum Kind {
    /** No metric data: the policy has no opinion, which also blocks a scale-in. */
    NO_DATA,
    /** Keep the current capacity (or not yet enough datapoints). */
    HOLD,
    /** More capacity: {@link Vote#capacity()}. */
    OUT,
    /** Less capacity: {@link Vote#capacity()}. */
    IN
  }

  /**
   * A policy's vote.
   *
   * @param kind what it wants
   * @param capacity the capacity it proposes (OUT and IN only)
   * @param metric the metric value it saw
   */
  public record Vote(Kind kind, int capacity, double metric) {
  }

  private final ScalingPolicy policy;
  private int outStreak;
  private int inStreak;

  /** State for one policy. */
  public PolicyVoter(ScalingPolicy policy) {
    this.policy = policy;
  }

  /** The policy. */
  public ScalingPolicy policy() {
    return policy;
  }

  /** Forgets the datapoints (after the group changed its capacity). */
  public void reset() {
    outStreak = 0;
    inStreak = 0;
  }

  /**
   * Records one datapoint and votes.
   *
   * @param value the metric value (NaN = no data)
   * @param measured target tracking: instances the average was taken over (warmed, in service)
   * @param warming instances that count as capacity but are not measured (pending or warming up)
   * @param desired the current desired capacity
   */
  public Vote vote(double value, int measured, int warming, int desired) {
    if (Double.isNaN(value)) {
      reset();
      return new Vote(Kind.NO_DATA, desired, value);
    }
    int proposed;
    boolean wantsIn;
    if (policy.type() == ScalingPolicy.Type.TARGET_TRACKING) {
      if (measured == 0) {
        reset();
        return new Vote(Kind.NO_DATA, desired, value);
      }
      double exact = measured * value / policy.targetValue();
      proposed = (int) Math.ceil(exact - 1e-9) + warming;
      wantsIn = proposed < desired && value < policy.targetValue() * SCALE_IN_THRESHOLD && !policy.disableScaleIn();
    } else {
      StepAdjustment step = null;
      for (StepAdjustment s : policy.steps()) {
        if (s.contains(value)) {
          step = s;
          break;
        }
      }
      if (step == null) {
        reset();
        return new Vote(Kind.HOLD, desired, value);
      }
      proposed = adjusted(desired, step.adjustment());
      wantsIn = proposed < desired;
    }
    if (proposed > desired) {
      inStreak = 0;
      outStreak++;
      return outStreak >= policy.scaleOutDatapoints() ? new Vote(Kind.OUT, proposed, value)
          : new Vote(Kind.HOLD, desired, value);
    }
    if (wantsIn) {
      outStreak = 0;
      inStreak++;
      return inStreak >= policy.scaleInDatapoints() ? new Vote(Kind.IN, Math.max(0, proposed), value)
          : new Vote(Kind.HOLD, desired, value);
    }
    reset();
    return new Vote(Kind.HOLD, desired, value);
  }

  private int adjusted(int desired, int adjustment) {
    switch (policy.adjustmentType()) {
      case EXACT_CAPACITY:
        return adjustment;
      case PERCENT_CHANGE_IN_CAPACITY: {
        int delta = (int) (desired * adjustment / 100.0);
        if (delta == 0 && adjustment != 0) {
          delta = Integer.signum(adjustment);
        }
        if (Math.abs(delta) < policy.minAdjustmentMagnitude()) {
          delta = Integer.signum(adjustment) * policy.minAdjustmentMagnitude();
        }
        return desired + delta;
      }
      case CHANGE_IN_CAPACITY:
      default:
        return desired + adjustment;
    }
  }

  /**
   * Combines the votes: scale out to the largest OUT proposal when any policy votes OUT; scale in to the largest IN
   * proposal only when every policy votes IN; else keep {@code desired}. The result is clamped to min and max.
   */
  public static int combine(Vote[] votes, int desired, int min, int max, boolean scaleInBlocked) {
    if (votes.length == 0) {
      return desired;
    }
    int out = Integer.MIN_VALUE;
    int in = Integer.MIN_VALUE;
    boolean allIn = true;
    for (Vote v : votes) {
      if (v.kind() == Kind.OUT) {
        out = Math.max(out, v.capacity());
      }
      if (v.kind() == Kind.IN) {
        in = Math.max(in, v.capacity());
      } else {
        allIn = false;
      }
    }
    int result = desired;
    if (out != Integer.MIN_VALUE && out > desired) {
      result = out;
    } else if (allIn && !scaleInBlocked && in < desired) {
      result = in;
    }
    return Math.max(min, Math.min(max, result));
  }
}
