package dev.loadstar.gateway.internal.config;

import dev.loadstar.core.TargetGroup;
import dev.loadstar.scaling.ScalingPolicy;
import java.math.BigDecimal;
import java.util.ArrayList;
import java.util.List;
import java.util.function.DoubleSupplier;
import java.util.function.Function;

/** Binds a scaling group's {@code policies[]}: target tracking and step scaling. */
final class PolicyBinder {

  private final Scope s;
  private final Context ctx;
  private static final List<String> METRICS = List.of("ALBRequestCountPerTarget",
      "AverageOutstandingRequestsPerTarget");

  PolicyBinder(Scope s) {
    this.s = s;
    this.ctx = s.ctx();
  }

  /** The mutable inputs of a ScalingPolicy. */
  static final class PolicyDraft {
    String name = "placeholder";
    String type = "TargetTrackingScaling";
    String metric;
    String resourceLabel;
    Double targetValue;
    Boolean disableScaleIn;
    Integer scaleOutDatapoints;
    Integer scaleInDatapoints;
    String adjustmentType;
    Integer minAdjustmentMagnitude;
    Integer datapoints;
    List<ScalingPolicy.StepAdjustment> steps = List.of();

    ScalingPolicy build(Function<String, TargetGroup> lookup) {
      if (type.equals("TargetTrackingScaling")) {
        ScalingPolicy.PredefinedMetric m = metric == null ? null
            : metric.equals("ALBRequestCountPerTarget") ? ScalingPolicy.PredefinedMetric.ALB_REQUEST_COUNT_PER_TARGET
            : ScalingPolicy.PredefinedMetric.AVERAGE_OUTSTANDING_REQUESTS_PER_TARGET;
        ScalingPolicy.TargetTrackingBuilder b = ScalingPolicy.targetTracking(name, m, resourceLabel,
            targetValue == null ? Double.NaN : targetValue);
        if (disableScaleIn != null) {
          b.disableScaleIn(disableScaleIn);
        }
        if (scaleOutDatapoints != null) {
          b.scaleOutDatapoints(scaleOutDatapoints);
        }
        if (scaleInDatapoints != null) {
          b.scaleInDatapoints(scaleInDatapoints);
        }
        return b.build();
      }
      ScalingPolicy.AdjustmentType t = adjustmentType == null ? null : switch (adjustmentType) {
        case "ExactCapacity" -> ScalingPolicy.AdjustmentType.EXACT_CAPACITY;
        case "PercentChangeInCapacity" -> ScalingPolicy.AdjustmentType.PERCENT_CHANGE_IN_CAPACITY;
        default -> ScalingPolicy.AdjustmentType.CHANGE_IN_CAPACITY;
      };
      DoubleSupplier supplier = metric == null ? null : PolicyMetrics.supplier(metric, resourceLabel, lookup);
      ScalingPolicy.StepScalingBuilder b = ScalingPolicy.stepScaling(name, metric == null ? null
          : metric + "/" + resourceLabel, supplier, t);
      for (ScalingPolicy.StepAdjustment s : steps) {
        b.step(s.lowerBound(), s.upperBound(), s.adjustment());
      }
      if (minAdjustmentMagnitude != null) {
        b.minAdjustmentMagnitude(minAdjustmentMagnitude);
      }
      if (datapoints != null) {
        b.datapoints(datapoints);
      }
      return b.build();
    }
  }

  List<PolicyDraft> policies(Obj group, List<String> attached) {
    List<Node> items = group.list("policies");
    if (items == null) {
      return group.raw("policies") == null ? List.of() : null;
    }
    List<PolicyDraft> out = new ArrayList<>();
    boolean ok = true;
    for (int i = 0; i < items.size(); i++) {
      Obj o = Obj.of(ctx, Paths.item(group.path("policies"), i), items.get(i));
      PolicyDraft d = o == null ? null : policy(o, attached);
      if (d == null) {
        ok = false;
      } else {
        out.add(d);
      }
    }
    return ok ? out : null;
  }

  private PolicyDraft policy(Obj o, List<String> attached) {
    Val<String> name = o.require(o.string("name"), "a policy name");
    Val<String> type = o.require(o.choice("policyType", List.of("TargetTrackingScaling", "StepScaling")),
        "TargetTrackingScaling or StepScaling");
    Build<PolicyDraft, ScalingPolicy> p = new Build<>(ctx, o.path(), o.node(), PolicyDraft::new,
        d -> d.build(n -> null))
        .word("policyName", "name")
        .word("stepAdjustments", "stepAdjustments")
        .word(".adjustment", ".scalingAdjustment");
    if (!name.present() || !type.present()) {
      p.fail();
      o.raw("targetTrackingConfiguration");
      o.raw("adjustmentType");
      o.raw("metric");
      o.raw("stepAdjustments");
      o.raw("minAdjustmentMagnitude");
      o.raw("datapoints");
      o.rejectUnknown();
      return null;
    }
    p.set("policyName", name, (d, v) -> d.name = v).set("policyType", type, (d, v) -> d.type = v);
    if (type.value().equals("TargetTrackingScaling")) {
      Obj c = o.object("targetTrackingConfiguration");
      if (c == null) {
        if (o.raw("targetTrackingConfiguration") == null) {
          o.missing(o.path("targetTrackingConfiguration"),
              "an object with predefinedMetricSpecification and targetValue");
        }
        o.rejectUnknown();
        return null;
      }
      Obj spec = c.object("predefinedMetricSpecification");
      if (spec == null) {
        if (c.raw("predefinedMetricSpecification") == null) {
          c.missing(c.path("predefinedMetricSpecification"), "an object with predefinedMetricType and resourceLabel");
        }
        p.fail();
      } else {
        metric(spec, attached, p);
      }
      p.set("targetValue", c.require(c.number("targetValue", "a number > 0"), "a number > 0"),
          (d, v) -> d.targetValue = v.doubleValue());
      p.set("disableScaleIn", c.bool("disableScaleIn"), (d, v) -> d.disableScaleIn = v);
      p.set("scaleOutDatapoints", c.integer("scaleOutDatapoints", "a whole number 1-100"),
          (d, v) -> d.scaleOutDatapoints = Values.clamp(v));
      p.set("scaleInDatapoints", c.integer("scaleInDatapoints", "a whole number 1-100"),
          (d, v) -> d.scaleInDatapoints = Values.clamp(v));
      c.rejectUnknown();
      if (!c.has("targetValue")) {
        p.fail();
      }
    } else {
      p.set("adjustmentType", o.require(o.choice("adjustmentType", List.of("ChangeInCapacity", "ExactCapacity",
          "PercentChangeInCapacity")), "ChangeInCapacity, ExactCapacity or PercentChangeInCapacity"),
          (d, v) -> d.adjustmentType = v);
      Obj m = o.object("metric");
      if (m == null) {
        if (o.raw("metric") == null) {
          o.missing(o.path("metric"), "an object with predefinedMetricType and resourceLabel");
        }
        p.fail();
      } else {
        metric(m, attached, p);
      }
      List<Node> steps = o.list("stepAdjustments");
      if (steps == null && !o.has("stepAdjustments")) {
        o.missing(o.path("stepAdjustments"), "a list of 1-20 {lowerBound, upperBound, scalingAdjustment}");
        p.fail();
      }
      List<ScalingPolicy.StepAdjustment> list = new ArrayList<>();
      boolean ok = steps != null;
      if (steps != null) {
        for (int i = 0; i < steps.size(); i++) {
          Obj s = Obj.of(ctx, Paths.item(o.path("stepAdjustments"), i), steps.get(i));
          if (s == null) {
            ok = false;
            continue;
          }
          Val<BigDecimal> lower = s.number("lowerBound", "a number");
          Val<BigDecimal> upper = s.number("upperBound", "a number");
          Val<Long> adj = s.require(s.integer("scalingAdjustment", "a whole number"), "a whole number");
          s.rejectUnknown();
          if (lower.invalid() || upper.invalid() || !adj.present()) {
            ok = false;
            continue;
          }
          list.add(new ScalingPolicy.StepAdjustment(lower.present() ? lower.value().doubleValue() : null,
              upper.present() ? upper.value().doubleValue() : null, Values.clamp(adj.value())));
        }
      }
      p.set("stepAdjustments", new Val<>(o.path("stepAdjustments"), o.raw("stepAdjustments"), ok ? list : null,
          !ok), (d, v) -> d.steps = v);
      p.set("minAdjustmentMagnitude", o.integer("minAdjustmentMagnitude", "a whole number >= 0"),
          (d, v) -> d.minAdjustmentMagnitude = Values.clamp(v));
      p.set("datapoints", o.integer("datapoints", "a whole number 1-100"), (d, v) -> d.datapoints = Values.clamp(v));
    }
    o.rejectUnknown();
    ScalingPolicy built = p.build();
    if (built == null) {
      return null;
    }
    PolicyDraft d = new PolicyDraft();
    // re-apply the validated values into a reusable draft
    d.name = built.name();
    d.type = built.type() == ScalingPolicy.Type.TARGET_TRACKING ? "TargetTrackingScaling" : "StepScaling";
    d.targetValue = built.type() == ScalingPolicy.Type.TARGET_TRACKING ? built.targetValue() : null;
    d.disableScaleIn = built.disableScaleIn();
    d.scaleOutDatapoints = built.scaleOutDatapoints();
    d.scaleInDatapoints = built.scaleInDatapoints();
    if (built.type() == ScalingPolicy.Type.TARGET_TRACKING) {
      d.metric = built.predefinedMetric().apiName();
      d.resourceLabel = built.targetGroupName();
    } else {
      String[] parts = built.metricName().split("/", 2);
      d.metric = parts[0];
      d.resourceLabel = parts[1];
      d.adjustmentType = built.adjustmentType().apiName();
      d.minAdjustmentMagnitude = built.minAdjustmentMagnitude();
      d.datapoints = built.scaleOutDatapoints();
      d.steps = built.steps();
    }
    return d;
  }

  private void metric(Obj spec, List<String> attached, Build<PolicyDraft, ScalingPolicy> p) {
    Val<String> type = spec.require(spec.choice("predefinedMetricType", METRICS), "one of " + String.join(", ",
        METRICS));
    Val<String> label = spec.require(spec.string("resourceLabel"), "the name of an attached target group");
    spec.rejectUnknown();
    if (label.present() && !attached.contains(label.value())) {
      ctx.error(label.node(), label.path(), label.render() + " (expected: a target group this scaling group is "
          + "attached to" + (attached.isEmpty() ? " (it has none)" : " (" + String.join(", ", attached) + ")")
          + Names.suggestion(label.value(), attached) + ")");
      label = new Val<>(label.path(), label.node(), null, true);
    }
    if (!type.present() || !label.present()) {
      p.fail();
    }
    p.set("predefinedMetric", type, (d, v) -> d.metric = v);
    p.set("targetGroupName", label, (d, v) -> d.resourceLabel = v);
  }
}
