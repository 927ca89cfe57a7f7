package dev.loadstar.scaling;

import dev.loadstar.core.config.Checks;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.function.DoubleSupplier;
import java.util.regex.Pattern;

/**
 * A rule that changes a scaling group's desired capacity from a metric: target tracking or step scaling.
 *
 * <p>The group samples every policy's metric once per monitoring interval. It scales out when any policy asks for
 * more capacity, and scales in only when every policy agrees (to the largest of their proposals), as Auto Scaling
 * does. Instances within their warmup are left out of the metrics and block scale-in; after a policy-driven
 * activity ends the policies wait for the cooldown.
 */
public final class ScalingPolicy {

  /** The predefined target-tracking metrics. */
  public enum PredefinedMetric {
    /** Requests per in-service instance per monitoring interval in one target group (ALB's {@code ALBRequestCountPerTarget}). */
    ALB_REQUEST_COUNT_PER_TARGET("ALBRequestCountPerTarget"),
    /** Requests in flight per in-service instance in one target group, sampled each monitoring interval. */
    AVERAGE_OUTSTANDING_REQUESTS_PER_TARGET("AverageOutstandingRequestsPerTarget");

    private final String apiName;

    PredefinedMetric(String apiName) {
      this.apiName = apiName;
    }

    /** The metric's name, e.g. {@code ALBRequestCountPerTarget}. */
    public String apiName() {
      return apiName;
    }
  }

  /** How a step's adjustment changes the desired capacity. */
  public enum AdjustmentType {
    /** Adds the adjustment (negative removes). */
    CHANGE_IN_CAPACITY("ChangeInCapacity"),
    /** Sets the capacity to the adjustment. */
    EXACT_CAPACITY("ExactCapacity"),
    /** Adds the adjustment as a percentage of the current capacity (rounded towards zero, at least the minimum magnitude). */
    PERCENT_CHANGE_IN_CAPACITY("PercentChangeInCapacity");

    private final String apiName;

    AdjustmentType(String apiName) {
      this.apiName = apiName;
    }

    /** The name Auto Scaling uses. */
    public String apiName() {
      return apiName;
    }
  }

  /** The kind of a policy. */
  public enum Type {
    /** Keeps a metric near a target value. */
    TARGET_TRACKING,
    /** Applies the adjustment of the step the metric falls in. */
    STEP_SCALING
  }

  /**
   * One step: when {@code lowerBound <= metric < upperBound}, apply {@code adjustment}. A {@code null} bound is
   * unbounded.
   *
   * @param lowerBound inclusive lower bound, or {@code null} for minus infinity
   * @param upperBound exclusive upper bound, or {@code null} for plus infinity
   * @param adjustment the adjustment (its meaning depends on the policy's adjustment type)
   */
  public record StepAdjustment(Double lowerBound, Double upperBound, int adjustment) {

    /** Whether the value falls in this step. */
    public boolean contains(double value) {
      return (lowerBound == null || value >= lowerBound) && (upperBound == null || value < upperBound);
    }
  }

  /** Auto Scaling's target-tracking scale-out evaluation: 3 consecutive breaching datapoints. */
  public static final int DEFAULT_SCALE_OUT_DATAPOINTS = 3;
  /** Auto Scaling's target-tracking scale-in evaluation: 15 consecutive datapoints. */
  public static final int DEFAULT_SCALE_IN_DATAPOINTS = 15;
  /** Auto Scaling's limit of steps per policy. */
  public static final int MAX_STEPS = 20;

  private static final Pattern NAME = Pattern.compile("[A-Za-z0-9\\-_/.]{1,255}");

  private final String name;
  private final Type type;
  private final PredefinedMetric predefinedMetric;
  private final String targetGroupName;
  private final String metricName;
  private final DoubleSupplier metric;
  private final double targetValue;
  private final boolean disableScaleIn;
  private final int scaleOutDatapoints;
  private final int scaleInDatapoints;
  private final AdjustmentType adjustmentType;
  private final int minAdjustmentMagnitude;
  private final List<StepAdjustment> steps;

  private ScalingPolicy(TargetTrackingBuilder b) {
    this.name = b.name;
    this.type = Type.TARGET_TRACKING;
    this.predefinedMetric = b.predefinedMetric;
    this.targetGroupName = b.targetGroupName;
    this.metricName = b.metricName;
    this.metric = b.metric;
    this.targetValue = b.targetValue;
    this.disableScaleIn = b.disableScaleIn;
    this.scaleOutDatapoints = b.scaleOutDatapoints;
    this.scaleInDatapoints = b.scaleInDatapoints;
    this.adjustmentType = null;
    this.minAdjustmentMagnitude = 0;
    this.steps = List.of();
  }

  private ScalingPolicy(StepScalingBuilder b) {
    this.name = b.name;
    this.type = Type.STEP_SCALING;
    this.predefinedMetric = null;
    this.targetGroupName = null;
    this.metricName = b.metricName;
    this.metric = b.metric;
    this.targetValue = Double.NaN;
    this.disableScaleIn = false;
    this.scaleOutDatapoints = b.datapoints;
    this.scaleInDatapoints = b.datapoints;
    this.adjustmentType = b.adjustmentType;
    this.minAdjustmentMagnitude = b.minAdjustmentMagnitude;
    this.steps = Collections.unmodifiableList(new ArrayList<>(b.steps));
  }

  /**
   * A target-tracking policy on a predefined metric of the attached target group named {@code targetGroupName}
   * (ALB's {@code ResourceLabel}).
   */
  public static TargetTrackingBuilder targetTracking(String name, PredefinedMetric metric, String targetGroupName,
      double targetValue) {
    TargetTrackingBuilder b = new TargetTrackingBuilder(name, targetValue);
    b.predefinedMetric = metric;
    b.targetGroupName = targetGroupName;
    return b;
  }

  /**
   * A target-tracking policy on an application metric whose value is an average per in-service instance (the
   * supplier is called on the group's context once per monitoring interval; NaN means no data).
   */
  public static TargetTrackingBuilder targetTracking(String name, String metricName, DoubleSupplier metric,
      double targetValue) {
    TargetTrackingBuilder b = new TargetTrackingBuilder(name, targetValue);
    b.metricName = metricName;
    b.metric = metric;
    return b;
  }

  /**
   * A step-scaling policy on an application metric (the supplier is called on the group's context once per
   * monitoring interval; NaN means no data).
   */
  public static StepScalingBuilder stepScaling(String name, String metricName, DoubleSupplier metric,
      AdjustmentType adjustmentType) {
    return new StepScalingBuilder(name, metricName, metric, adjustmentType);
  }

  /** The policy name. */
  public String name() {
    return name;
  }

  /** Target tracking or step scaling. */
  public Type type() {
    return type;
  }

  /** The predefined metric, or {@code null} for an application metric. */
  public PredefinedMetric predefinedMetric() {
    return predefinedMetric;
  }

  /** The target group a predefined metric is measured in, or {@code null}. */
  public String targetGroupName() {
    return targetGroupName;
  }

  /** The application metric's name, or {@code null} for a predefined metric. */
  public String metricName() {
    return metricName;
  }

  /** The application metric, or {@code null} for a predefined metric. */
  public DoubleSupplier metric() {
    return metric;
  }

  /** Target tracking: the value to keep the metric at (NaN for step scaling). */
  public double targetValue() {
    return targetValue;
  }

  /** Target tracking: whether the policy never scales in (it then never agrees to a scale-in). */
  public boolean disableScaleIn() {
    return disableScaleIn;
  }

  /** Consecutive evaluations that must ask for more capacity before the policy votes to scale out. */
  public int scaleOutDatapoints() {
    return scaleOutDatapoints;
  }

  /** Consecutive evaluations that must ask for less capacity before the policy votes to scale in. */
  public int scaleInDatapoints() {
    return scaleInDatapoints;
  }

  /** Step scaling: the adjustment type, else {@code null}. */
  public AdjustmentType adjustmentType() {
    return adjustmentType;
  }

  /** Step scaling with {@code PercentChangeInCapacity}: the smallest change applied (0 = none). */
  public int minAdjustmentMagnitude() {
    return minAdjustmentMagnitude;
  }

  /** Step scaling: the steps, in the order given. */
  public List<StepAdjustment> steps() {
    return steps;
  }

  @Override
  public String toString() {
    return type == Type.TARGET_TRACKING
        ? "TargetTracking{" + name + " " + (predefinedMetric != null ? predefinedMetric.apiName() + "/" + targetGroupName
            : metricName) + " target=" + targetValue + "}"
        : "StepScaling{" + name + " " + metricName + " " + adjustmentType.apiName() + " " + steps + "}";
  }

  private static void checkName(String name) {
    Checks.notNull("policyName", name);
    if (!NAME.matcher(name).matches()) {
      throw Checks.invalid("policyName", "\"" + name + "\"", "1-255 characters of letters, digits, -, _, / and .");
    }
  }

  /** Builds a target-tracking {@link ScalingPolicy}. */
  public static final class TargetTrackingBuilder {
    private final String name;
    private final double targetValue;
    private PredefinedMetric predefinedMetric;
    private String targetGroupName;
    private String metricName;
    private DoubleSupplier metric;
    private boolean disableScaleIn;
    private int scaleOutDatapoints = DEFAULT_SCALE_OUT_DATAPOINTS;
    private int scaleInDatapoints = DEFAULT_SCALE_IN_DATAPOINTS;

    private TargetTrackingBuilder(String name, double targetValue) {
      this.name = name;
      this.targetValue = targetValue;
    }

    /** Sets whether the policy never scales in (default false). */
    public TargetTrackingBuilder disableScaleIn(boolean disable) {
      this.disableScaleIn = disable;
      return this;
    }

    /** Sets the consecutive evaluations needed to scale out (1-100, default 3). */
    public TargetTrackingBuilder scaleOutDatapoints(int datapoints) {
      this.scaleOutDatapoints = datapoints;
      return this;
    }

    /** Sets the consecutive evaluations needed to scale in (1-100, default 15). */
    public TargetTrackingBuilder scaleInDatapoints(int datapoints) {
      this.scaleInDatapoints = datapoints;
      return this;
    }

    /** Validates and builds the policy. */
    public ScalingPolicy build() {
      checkName(name);
      if (!(targetValue > 0) || Double.isInfinite(targetValue)) {
        throw Checks.invalid("targetValue", targetValue, "> 0");
      }
      if (metric == null) {
        Checks.notNull("predefinedMetric", predefinedMetric);
        Checks.notBlank("targetGroupName", targetGroupName);
      } else {
        Checks.notBlank("metricName", metricName);
      }
      Checks.range("scaleOutDatapoints", scaleOutDatapoints, 1, 100);
      Checks.range("scaleInDatapoints", scaleInDatapoints, 1, 100);
      return new ScalingPolicy(this);
    }
  }

  /** Builds a step-scaling {@link ScalingPolicy}. */
  public static final class StepScalingBuilder {
    private final String name;
    private final String metricName;
    private final DoubleSupplier metric;
    private final AdjustmentType adjustmentType;
    private final List<StepAdjustment> steps = new ArrayList<>();
    private int minAdjustmentMagnitude;
    private int datapoints = 1;

    private StepScalingBuilder(String name, String metricName, DoubleSupplier metric, AdjustmentType type) {
      this.name = name;
      this.metricName = metricName;
      this.metric = metric;
      this.adjustmentType = type;
    }

    /** Adds a step: {@code lowerBound <= metric < upperBound} (null = unbounded) applies {@code adjustment}. */
    public StepScalingBuilder step(Double lowerBound, Double upperBound, int adjustment) {
      steps.add(new StepAdjustment(lowerBound, upperBound, adjustment));
      return this;
    }

    /** Sets the smallest change a percentage adjustment makes (0 = none, the default). */
    public StepScalingBuilder minAdjustmentMagnitude(int magnitude) {
      this.minAdjustmentMagnitude = magnitude;
      return this;
    }

    /** Sets the consecutive evaluations in the same step direction needed to act (1-100, default 1). */
    public StepScalingBuilder datapoints(int datapoints) {
      this.datapoints = datapoints;
      return this;
    }

    /** Validates the policy (steps must not overlap) and builds it. */
    public ScalingPolicy build() {
      checkName(name);
      Checks.notBlank("metricName", metricName);
      Checks.notNull("metric", metric);
      Checks.notNull("adjustmentType", adjustmentType);
      Checks.range("stepAdjustments", steps.size(), 1, MAX_STEPS);
      Checks.range("minAdjustmentMagnitude", minAdjustmentMagnitude, 0, Integer.MAX_VALUE);
      if (minAdjustmentMagnitude > 0 && adjustmentType != AdjustmentType.PERCENT_CHANGE_IN_CAPACITY) {
        throw Checks.invalid("minAdjustmentMagnitude", minAdjustmentMagnitude,
            "0 unless adjustmentType is PercentChangeInCapacity");
      }
      Checks.range("datapoints", datapoints, 1, 100);
      for (int i = 0; i < steps.size(); i++) {
        StepAdjustment s = steps.get(i);
        if (s.lowerBound() != null && s.upperBound() != null && !(s.lowerBound() < s.upperBound())) {
          throw Checks.invalid("stepAdjustments[" + i + "]", "[" + s.lowerBound() + ", " + s.upperBound() + ")",
              "lowerBound < upperBound");
        }
        if (adjustmentType == AdjustmentType.EXACT_CAPACITY && s.adjustment() < 0) {
          throw Checks.invalid("stepAdjustments[" + i + "].adjustment", s.adjustment(), ">= 0 for ExactCapacity");
        }
        for (int j = 0; j < i; j++) {
          if (overlap(steps.get(j), s)) {
            throw Checks.invalid("stepAdjustments[" + i + "]", "[" + s.lowerBound() + ", " + s.upperBound() + ")",
                "no overlap with stepAdjustments[" + j + "]");
          }
        }
      }
      return new ScalingPolicy(this);
    }

    private static boolean overlap(StepAdjustment a, StepAdjustment b) {
      double aLo = a.lowerBound() == null ? Double.NEGATIVE_INFINITY : a.lowerBound();
      double aHi = a.upperBound() == null ? Double.POSITIVE_INFINITY : a.upperBound();
      double bLo = b.lowerBound() == null ? Double.NEGATIVE_INFINITY : b.lowerBound();
      double bHi = b.upperBound() == null ? Double.POSITIVE_INFINITY : b.upperBound();
      return aLo < bHi && bLo < aHi;
    }
  }
}
