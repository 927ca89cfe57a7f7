package dev.loadstar.healthcheck;

import dev.loadstar.core.Target;
import dev.loadstar.core.TargetGroup;
import dev.loadstar.core.TargetHealth;
import dev.loadstar.core.TargetHealthDescription;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.util.ArrayList;
import java.util.Collection;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;

/**
 * Renders {@link TargetGroup#describeTargetHealth()} as {@code aws elbv2 describe-target-health} does (with
 * {@code --include AnomalyDetection}):
 * <pre>{@code
 * {"TargetHealthDescriptions":[{"Target":{"Id":"i-a","Port":8080},"HealthCheckPort":"8080",
 *   "TargetHealth":{"State":"unhealthy","Reason":"Target.ResponseCodeMismatch",
 *                   "Description":"Health checks failed with these codes: [502]"},
 *   "AnomalyDetection":{"Result":"normal","MitigationInEffect":"no"}}]}
 * }</pre>
 * {@code Reason} and {@code Description} are omitted when absent (a healthy target has neither), as in ALB's output.
 * {@code AvailabilityZone} appears for targets with a zone. Function targets show their {@code Id} only (no
 * {@code Port}, no {@code HealthCheckPort}), as ALB shows a Lambda target; balancer targets show their listener's port
 * when they delegate to a listening one.
 */
public final class DescribeTargetHealth {

  private DescribeTargetHealth() {
  }

  /** Every registered target of the group; {@code healthCheck} gives {@code HealthCheckPort}. */
  public static JsonObject toJson(TargetGroup group, HealthCheck healthCheck) {
    return toJson(group.describeTargetHealth(), healthCheck);
  }

  /**
   * The given targets of the group, in the given order; an id that is not registered is reported
   * {@code unused} / {@code Target.NotRegistered}, as ALB does.
   */
  public static JsonObject toJson(TargetGroup group, HealthCheck healthCheck, Collection<String> targetIds) {
    Map<String, TargetHealthDescription> byId = new HashMap<>();
    for (TargetHealthDescription d : group.describeTargetHealth()) {
      byId.put(d.target().id(), d);
    }
    JsonArray rows = new JsonArray();
    for (String id : targetIds) {
      TargetHealthDescription d = byId.get(id);
      if (d != null) {
        rows.add(row(d, healthCheck));
      } else {
        rows.add(new JsonObject().put("Target", new JsonObject().put("Id", id))
            .put("TargetHealth", health(TargetHealth.UNUSED)));
      }
    }
    return new JsonObject().put("TargetHealthDescriptions", rows);
  }

  /** The given rows. */
  public static JsonObject toJson(List<TargetHealthDescription> descriptions, HealthCheck healthCheck) {
    Objects.requireNonNull(healthCheck, "healthCheck");
    JsonArray rows = new JsonArray(new ArrayList<>(descriptions.size()));
    for (TargetHealthDescription d : descriptions) {
      rows.add(row(d, healthCheck));
    }
    return new JsonObject().put("TargetHealthDescriptions", rows);
  }

  private static JsonObject row(TargetHealthDescription d, HealthCheck healthCheck) {
    Target t = d.target();
    JsonObject target = new JsonObject().put("Id", t.id());
    int port = port(t);
    if (port > 0) {
      target.put("Port", port);
    }
    if (t.zone() != null) {
      target.put("AvailabilityZone", t.zone());
    }
    JsonObject row = new JsonObject().put("Target", target);
    if (t.kind().isNetwork()) {
      row.put("HealthCheckPort", Integer.toString(healthCheck.portFor(t)));
    }
    return row
        .put("TargetHealth", health(d.health()))
        .put("AnomalyDetection", new JsonObject().put("Result", d.anomalyResult())
            .put("MitigationInEffect", d.mitigationInEffect() ? "yes" : "no"));
  }

  /**
   * The port shown for a target: its own for instance and ip targets, the listener's bound port for a balancer target
   * delegating to a listener, none (0) for function targets and balancer targets delegating to a group (as ALB shows
   * Lambda targets: an {@code Id} only).
   */
  private static int port(Target t) {
    if (t.kind().isNetwork()) {
      return t.port();
    }
    if (t.kind() == Target.Kind.BALANCER && t.balancer().address() != null) {
      return t.balancer().address().port();
    }
    return 0;
  }

  /** One {@code TargetHealth} object: {@code State}, then {@code Reason} and {@code Description} when present. */
  public static JsonObject health(TargetHealth h) {
    JsonObject json = new JsonObject().put("State", h.state().apiName());
    if (h.reason() != null) {
      json.put("Reason", h.reason().code());
    }
    if (h.description() != null) {
      json.put("Description", h.description());
    }
    return json;
  }
}
