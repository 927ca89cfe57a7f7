package dev.loadstar.gateway.internal.admin;

import dev.loadstar.core.RegisteredTarget;
import dev.loadstar.core.Stickiness;
import dev.loadstar.core.TargetGroup;
import dev.loadstar.core.TargetGroupConfig;
import dev.loadstar.core.TargetHealth;
import dev.loadstar.core.ZoneHealthDescription;
import dev.loadstar.healthcheck.DescribeTargetHealth;
import dev.loadstar.healthcheck.HealthCheck;
import dev.loadstar.routing.Action;
import dev.loadstar.routing.Condition;
import dev.loadstar.routing.Rule;
import dev.loadstar.routing.RuleSet;
import dev.loadstar.gateway.admin.AdminModel;
import dev.loadstar.scaling.Instance;
import dev.loadstar.scaling.ScalingActivity;
import dev.loadstar.scaling.ScalingGroup;
import dev.loadstar.scaling.ScalingGroupConfig;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.util.Collection;
import java.util.List;

/** The admin API's JSON, shaped like the {@code aws elbv2} and {@code aws autoscaling} outputs. */
public final class AdminJson {

  private AdminJson() {
  }

  /** A target group as describe-target-groups shows it, with its attributes and health counts. */
  public static JsonObject targetGroup(TargetGroup g, HealthCheck hc) {
    TargetGroupConfig c = g.config();
    int healthy = 0;
    int unhealthy = 0;
    int registered = 0;
    for (RegisteredTarget t : g.targets()) {
      registered++;
      if (t.isActive() && t.health().isRoutable()) {
        healthy++;
      } else if (t.isActive() && t.health().state() == TargetHealth.State.UNHEALTHY) {
        unhealthy++;
      }
    }
    JsonObject health = hc.toJson().put("HealthCheckEnabled", c.healthCheckEnabled());
    return new JsonObject()
        .put("TargetGroupName", g.name())
        .put("Protocol", c.protocol().name())
        .put("Attributes", attributes(c))
        .put("HealthCheck", health)
        .put("RegisteredTargetCount", registered)
        .put("HealthyHostCount", healthy)
        .put("UnHealthyHostCount", unhealthy)
        .put("FailingOpen", g.isFailingOpen())
        .put("AvailabilityZones", zones(g));
  }

  /**
   * describe-target-health of every target (healthcheck's {@link DescribeTargetHealth}), each row with the target's
   * {@code TargetType} (ALB's names: {@code instance}, {@code ip}, {@code lambda}, {@code alb}), and the group's
   * {@code AvailabilityZones} summary ({@link #zones}).
   */
  public static JsonObject describeTargetHealth(TargetGroup g, HealthCheck hc) {
    return withTargetTypes(g, DescribeTargetHealth.toJson(g, hc)).put("AvailabilityZones", zones(g));
  }

  /** describe-target-health of the given targets, each registered one's row with its {@code TargetType}. */
  public static JsonObject describeTargetHealth(TargetGroup g, HealthCheck hc, Collection<String> targetIds) {
    return withTargetTypes(g, DescribeTargetHealth.toJson(g, hc, targetIds));
  }

  private static JsonObject withTargetTypes(TargetGroup g, JsonObject json) {
    JsonArray rows = json.getJsonArray("TargetHealthDescriptions");
    for (int i = 0; i < rows.size(); i++) {
      JsonObject row = rows.getJsonObject(i);
      RegisteredTarget t = g.target(row.getJsonObject("Target").getString("Id"));
      if (t != null) {
        row.put("TargetType", t.target().kind().albName());
      }
    }
    return json;
  }

  /**
   * The group's targets per availability zone, zones in first-registration order (targets without a zone are left
   * out): {@code ZoneName}, {@code RegisteredTargetCount} (non-draining), {@code HealthyHostCount},
   * {@code UnHealthyHostCount}, and {@code ServingLocally} (with cross-zone load balancing off: whether the zone's
   * balancers keep requests in it now).
   */
  public static JsonArray zones(TargetGroup g) {
    JsonArray out = new JsonArray();
    for (ZoneHealthDescription z : g.describeZones()) {
      if (z.zone() != null) {
        out.add(new JsonObject()
            .put("ZoneName", z.zone())
            .put("RegisteredTargetCount", z.registered())
            .put("HealthyHostCount", z.healthy())
            .put("UnHealthyHostCount", z.unhealthy())
            .put("ServingLocally", z.servingLocally()));
      }
    }
    return out;
  }

  /** The target group attributes with ALB's keys and string values, as describe-target-group-attributes. */
  public static JsonObject attributes(TargetGroupConfig c) {
    Stickiness s = c.stickiness();
    JsonObject a = new JsonObject()
        .put("load_balancing.algorithm.type", c.algorithm().name())
        .put("load_balancing.algorithm.anomaly_mitigation", c.algorithm().anomalyMitigation() ? "on" : "off")
        .put("slow_start.duration_seconds", Long.toString(c.slowStart().getSeconds()))
        .put("deregistration_delay.timeout_seconds", Long.toString(c.deregistrationDelay().getSeconds()))
        .put("stickiness.enabled", Boolean.toString(s.enabled()));
    if (s.enabled()) {
      a.put("stickiness.type", s.type().apiName());
      if (s.type() == Stickiness.Type.LB_COOKIE) {
        a.put("stickiness.lb_cookie.duration_seconds", Long.toString(s.duration().getSeconds()));
      } else {
        a.put("stickiness.app_cookie.cookie_name", s.appCookieName());
        a.put("stickiness.app_cookie.duration_seconds", Long.toString(s.duration().getSeconds()));
      }
    }
    a.put("target_group_health.unhealthy_state_routing.minimum_healthy_targets.count",
        Integer.toString(c.minimumHealthyTargetsCount()));
    a.put("target_group_health.unhealthy_state_routing.minimum_healthy_targets.percentage",
        c.minimumHealthyTargetsPercentage() == 0 ? "off" : Integer.toString(c.minimumHealthyTargetsPercentage()));
    a.put("load_balancing.cross_zone.enabled", Boolean.toString(c.crossZoneEnabled()));
    return a;
  }

  /** A listener with its rules in priority order, the default rule last. */
  public static JsonObject listener(AdminModel.ListenerInfo l) {
    JsonObject o = new JsonObject().put("Name", l.name()).put("Protocol", l.protocol()).put("Host", l.host())
        .put("Port", l.port());
    if (l.rules() != null) {
      o.put("Rules", rules(l.rules()));
    } else {
      o.put("DefaultActions", new JsonArray().add(new JsonObject().put("Type", "forward")
          .put("TargetGroupName", l.targetGroup())));
    }
    return o;
  }

  /** The rules as describe-rules lists them: priority order, the default rule last. */
  public static JsonArray rules(RuleSet rs) {
    JsonArray out = new JsonArray();
    for (Rule r : rs.rules()) {
      out.add(rule(r));
    }
    out.add(rule(rs.defaultRule()));
    return out;
  }

  private static JsonObject rule(Rule r) {
    JsonArray conditions = new JsonArray();
    for (Condition c : r.conditions()) {
      JsonObject cj = new JsonObject().put("Field", c.type().apiName());
      if (c.type() == Condition.Type.HTTP_HEADER) {
        cj.put("HttpHeaderConfig", new JsonObject().put("HttpHeaderName", c.headerName())
            .put("Values", new JsonArray(List.copyOf(c.values()))));
      } else if (c.type() == Condition.Type.QUERY_STRING) {
        JsonArray pairs = new JsonArray();
        for (Condition.QueryPair p : c.queryPairs()) {
          JsonObject pj = new JsonObject();
          if (p.key() != null) {
            pj.put("Key", p.key());
          }
          pairs.add(pj.put("Value", p.value()));
        }
        cj.put("QueryStringConfig", new JsonObject().put("Values", pairs));
      } else {
        cj.put("Values", new JsonArray(List.copyOf(c.values())));
      }
      conditions.add(cj);
    }
    return new JsonObject()
        .put("Name", r.name())
        .put("Priority", r.isDefault() ? "default" : Integer.toString(r.priority()))
        .put("IsDefault", r.isDefault())
        .put("Conditions", conditions)
        .put("Actions", new JsonArray().add(action(r.action())));
  }

  private static JsonObject action(Action a) {
    JsonObject o = new JsonObject().put("Type", a.type().apiName());
    switch (a.type()) {
      case FORWARD: {
        if (!a.isWeighted()) {
          return o.put("TargetGroupName", a.targetGroups().get(0).name());
        }
        JsonArray groups = new JsonArray();
        for (Action.WeightedGroup g : a.targetGroups()) {
          groups.add(new JsonObject().put("TargetGroupName", g.name()).put("Weight", g.weight()));
        }
        JsonObject fc = new JsonObject().put("TargetGroups", groups);
        fc.put("TargetGroupStickinessConfig", new JsonObject().put("Enabled", a.stickiness() != null)
            .put("DurationSeconds", a.stickiness() == null ? null : a.stickiness().getSeconds()));
        return o.put("ForwardConfig", fc);
      }
      case REDIRECT:
        return o.put("RedirectConfig", new JsonObject().put("Protocol", a.protocol()).put("Host", a.host())
            .put("Port", a.port()).put("Path", a.path()).put("Query", a.query())
            .put("StatusCode", "HTTP_" + a.statusCode()));
      default:
        return o.put("FixedResponseConfig", new JsonObject().put("StatusCode", Integer.toString(a.statusCode()))
            .put("ContentType", a.contentType()).put("MessageBody", a.body()));
    }
  }

  /** A scaling group as describe-auto-scaling-groups shows it, with its instances (secrets redacted). */
  public static JsonObject scalingGroup(ScalingGroup g) {
    ScalingGroupConfig c = g.config();
    JsonArray instances = new JsonArray();
    for (Instance i : g.instances()) {
      instances.add(instance(i));
    }
    JsonArray groups = new JsonArray();
    for (TargetGroup tg : g.targetGroups()) {
      groups.add(tg.name());
    }
    return new JsonObject()
        .put("AutoScalingGroupName", g.name())
        .put("LaunchTemplate", new JsonObject().put("Provider", c.launchTemplate().provider())
            .put("Parameters", new JsonObject(Secrets.redact(c.launchTemplate().parameters()))))
        .put("MinSize", g.minSize())
        .put("MaxSize", g.maxSize())
        .put("DesiredCapacity", g.desiredCapacity())
        .put("HealthCheckType", g.healthCheckType().apiName())
        .put("HealthCheckGracePeriod", c.healthCheckGracePeriod().getSeconds())
        .put("DefaultCooldown", c.defaultCooldown().getSeconds())
        .put("TargetGroupNames", groups)
        .put("Instances", instances);
  }

  /** One instance as describe-auto-scaling-groups lists it. */
  public static JsonObject instance(Instance i) {
    return new JsonObject()
        .put("InstanceId", i.id())
        .put("LifecycleState", i.state().apiName())
        .put("HealthStatus", i.healthStatus())
        .put("ProtectedFromScaleIn", i.protectedFromScaleIn())
        .put("LaunchTime", i.launchTime().toString())
        .put("Host", i.host())
        .put("Port", i.port());
  }

  /** One activity as describe-scaling-activities lists it. */
  public static JsonObject activity(ScalingActivity a) {
    JsonObject o = new JsonObject()
        .put("ActivityId", a.activityId())
        .put("AutoScalingGroupName", a.groupName())
        .put("Kind", a.kind().name())
        .put("Description", a.description())
        .put("Cause", a.cause())
        .put("StartTime", a.startTime().toString())
        .put("StatusCode", a.status().apiName());
    if (a.instanceId() != null) {
      o.put("InstanceId", a.instanceId());
    }
    if (a.endTime() != null) {
      o.put("EndTime", a.endTime().toString());
    }
    if (a.statusMessage() != null) {
      o.put("StatusMessage", a.statusMessage());
    }
    return o;
  }

  /** {@code {"error": code, "message": message}}. */
  public static JsonObject error(String code, String message) {
    return new JsonObject().put("error", code).put("message", message);
  }
}
