package dev.loadstar.healthcheck;

import static org.assertj.core.api.Assertions.assertThat;

import dev.loadstar.core.RegisteredTarget;
import dev.loadstar.core.Target;
import dev.loadstar.core.TargetGroup;
import dev.loadstar.core.TargetGroupConfig;
import dev.loadstar.core.TargetHealth;
import dev.loadstar.core.TargetHealth.Reason;
import io.vertx.core.Vertx;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

class DescribeTargetHealthTest {

  private Vertx vertx;
  private TargetGroup group;

  @BeforeEach
  void setUp() {
    vertx = Vertx.vertx();
    group = TargetGroup.create(vertx, TargetGroupConfig.builder("web").healthCheckEnabled(true).build());
    group.register(Target.of("i-a", "127.0.0.1", 8080));
    group.register(Target.builder("i-b", "127.0.0.1", 8081).zone("eu-west-1a").build());
    group.register(Target.of("i-c", "127.0.0.1", 8082));
    group.register(Target.of("i-d", "127.0.0.1", 8083));
    group.updateHealth("i-a", TargetHealth.HEALTHY);
    group.updateHealth("i-b", TargetHealth.unhealthy(Reason.TARGET_RESPONSE_CODE_MISMATCH,
        "Health checks failed with these codes: [502]"));
    RegisteredTarget d = group.target("i-d");
    d.tryStartRequest(); // keeps it draining
    group.deregister("i-d");
  }

  @AfterEach
  void tearDown() {
    group.close().await();
    vertx.close().await();
  }

  private static JsonObject row(JsonObject json, String id) {
    JsonArray rows = json.getJsonArray("TargetHealthDescriptions");
    for (int i = 0; i < rows.size(); i++) {
      if (rows.getJsonObject(i).getJsonObject("Target").getString("Id").equals(id)) {
        return rows.getJsonObject(i);
      }
    }
    throw new AssertionError("no row for " + id + " in " + json.encodePrettily());
  }

  @Test
  void rendersLikeAwsElbv2DescribeTargetHealth() {
    JsonObject json = DescribeTargetHealth.toJson(group, HealthCheck.defaults());
    assertThat(json.fieldNames()).containsExactly("TargetHealthDescriptions");
    assertThat(json.getJsonArray("TargetHealthDescriptions")).hasSize(4);
    String anomaly = ",\"AnomalyDetection\":{\"Result\":\"normal\",\"MitigationInEffect\":\"no\"}}";
    assertThat(row(json, "i-a")).isEqualTo(new JsonObject("{\"Target\":{\"Id\":\"i-a\",\"Port\":8080},"
        + "\"HealthCheckPort\":\"8080\",\"TargetHealth\":{\"State\":\"healthy\"}" + anomaly));
    assertThat(row(json, "i-b")).isEqualTo(new JsonObject("{\"Target\":{\"Id\":\"i-b\",\"Port\":8081,"
        + "\"AvailabilityZone\":\"eu-west-1a\"},\"HealthCheckPort\":\"8081\",\"TargetHealth\":{\"State\":\"unhealthy\","
        + "\"Reason\":\"Target.ResponseCodeMismatch\",\"Description\":\"Health checks failed with these codes: [502]\"}"
        + anomaly));
    assertThat(row(json, "i-c")).isEqualTo(new JsonObject("{\"Target\":{\"Id\":\"i-c\",\"Port\":8082},"
        + "\"HealthCheckPort\":\"8082\",\"TargetHealth\":{\"State\":\"initial\",\"Reason\":\"Elb.InitialHealthChecking\","
        + "\"Description\":\"Initial health checks in progress.\"}" + anomaly));
    assertThat(row(json, "i-d").getJsonObject("TargetHealth")).isEqualTo(new JsonObject("{\"State\":\"draining\","
        + "\"Reason\":\"Target.DeregistrationInProgress\",\"Description\":\"Target deregistration is in progress.\"}"));
  }

  @Test
  void fixedHealthCheckPortIsShownForEveryTarget() {
    JsonObject json = DescribeTargetHealth.toJson(group, HealthCheck.builder().port(9000).build());
    assertThat(row(json, "i-a").getString("HealthCheckPort")).isEqualTo("9000");
    assertThat(row(json, "i-c").getString("HealthCheckPort")).isEqualTo("9000");
  }

  @Test
  void selectedTargetsComeInTheOrderAskedAndUnknownOnesAreUnused() {
    JsonObject json = DescribeTargetHealth.toJson(group, HealthCheck.defaults(), List.of("i-c", "i-x", "i-a"));
    JsonArray rows = json.getJsonArray("TargetHealthDescriptions");
    assertThat(rows).hasSize(3);
    assertThat(rows.getJsonObject(0).getJsonObject("Target").getString("Id")).isEqualTo("i-c");
    assertThat(rows.getJsonObject(1)).isEqualTo(new JsonObject("{\"Target\":{\"Id\":\"i-x\"},\"TargetHealth\":"
        + "{\"State\":\"unused\",\"Reason\":\"Target.NotRegistered\","
        + "\"Description\":\"Target is not registered to the target group.\"}}"));
    assertThat(rows.getJsonObject(2).getJsonObject("Target").getString("Id")).isEqualTo("i-a");
  }

  @Test
  void anomalousTargetsShowResultAndMitigation() {
    JsonObject json = DescribeTargetHealth.toJson(List.of(new dev.loadstar.core.TargetHealthDescription(
        Target.of("i-z", "127.0.0.1", 80), TargetHealth.HEALTHY, 0, true, true)), HealthCheck.defaults());
    assertThat(json.getJsonArray("TargetHealthDescriptions").getJsonObject(0).getJsonObject("AnomalyDetection"))
        .isEqualTo(new JsonObject("{\"Result\":\"anomalous\",\"MitigationInEffect\":\"yes\"}"));
  }
}
