package dev.loadstar.samples.lab;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.loadstar.core.TargetHealth;
import dev.loadstar.gateway.support.Http;
import io.vertx.core.MultiMap;
import io.vertx.core.Vertx;
import io.vertx.core.http.HttpClient;
import io.vertx.core.http.HttpClientResponse;
import io.vertx.core.http.HttpMethod;
import io.vertx.core.http.RequestOptions;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/** The lab's admin API: its groups, listener and scaling group, events, and the lab controls (fast timings). */
@Timeout(90)
class LabAdminApiTest {

  private static final Duration WAIT = Duration.ofSeconds(30);
  private static final String TOKEN = "lab-token-123";

  private Vertx vertx;
  private SeedLab lab;
  private Http http;
  private int admin;
  private final ByteArrayOutputStream bytes = new ByteArrayOutputStream();

  @BeforeEach
  void setUp() {
    vertx = Vertx.vertx();
    PrintStream out = new PrintStream(bytes, true, StandardCharsets.UTF_8);
    lab = SeedLab.start(vertx, LabSettings.unattended(0), Timeline.printingTo(out),
        new SeedLab.AdminOptions("127.0.0.1", 0, TOKEN)).await();
    admin = lab.admin().actualPort();
    http = new Http(vertx);
    await().atMost(WAIT).until(() -> lab.inServiceAndHealthy().size() == 2);
  }

  @AfterEach
  void tearDown() {
    if (http != null) {
      http.close();
    }
    if (lab != null) {
      lab.close().await();
    }
    vertx.close().await();
  }

  private JsonObject get(String uri) {
    Http.Resp r = http.get(admin, uri, Http.headers("Authorization", "Bearer " + TOKEN));
    assertThat(r.status()).as(uri + ": " + r.body()).isEqualTo(200);
    return r.json();
  }

  private Http.Resp post(String uri, String token) {
    MultiMap h = token == null ? null : Http.headers("Authorization", "Bearer " + token);
    return http.send(HttpMethod.POST, admin, uri, h, null);
  }

  private String healthOf(String id) {
    for (Object o : get("/api/target-groups/MyWebTargetGroup/health").getJsonArray("TargetHealthDescriptions")) {
      JsonObject row = (JsonObject) o;
      if (row.getJsonObject("Target").getString("Id").equals(id)) {
        JsonObject th = row.getJsonObject("TargetHealth");
        return th.getString("State") + (th.getString("Reason") == null ? "" : " " + th.getString("Reason"));
      }
    }
    return "absent";
  }

  @Test
  void theLabsGroupsListenerAndScalingGroupAnswer() {
    assertThat(lab.adminUrl()).isEqualTo("http://127.0.0.1:" + admin + "/");
    assertThat(bytes.toString(StandardCharsets.UTF_8)).contains("admin API on http://127.0.0.1:" + admin
        + "/api, dashboard on http://127.0.0.1:" + admin + "/ (reads and changes need the bearer token)");

    JsonObject index = get("/api");
    assertThat(index.getBoolean("Lab")).isTrue();
    assertThat(index.getBoolean("TokenRequiredForChanges")).isTrue();

    JsonArray groups = get("/api/target-groups").getJsonArray("TargetGroups");
    assertThat(groups).hasSize(1);
    JsonObject g = groups.getJsonObject(0);
    assertThat(g.getString("TargetGroupName")).isEqualTo("MyWebTargetGroup");
    assertThat(g.getInteger("RegisteredTargetCount")).isEqualTo(2);
    assertThat(g.getInteger("HealthyHostCount")).isEqualTo(2);
    assertThat(g.getJsonObject("HealthCheck").getInteger("UnhealthyThresholdCount")).isEqualTo(2);

    List<String> ids = lab.inServiceAndHealthy();
    for (String id : ids) {
      assertThat(healthOf(id)).isEqualTo("healthy");
    }

    JsonObject asg = get("/api/scaling-groups/MyASG");
    assertThat(asg.getInteger("MinSize")).isEqualTo(2);
    assertThat(asg.getInteger("DesiredCapacity")).isEqualTo(2);
    assertThat(asg.getInteger("MaxSize")).isEqualTo(4);
    assertThat(asg.getString("HealthCheckType")).isEqualTo("EC2");
    assertThat(asg.getJsonArray("Instances").stream().map(o -> ((JsonObject) o).getString("InstanceId")))
        .containsExactlyInAnyOrderElementsOf(ids);
    JsonArray activities = get("/api/scaling-groups/MyASG/activities").getJsonArray("Activities");
    assertThat(activities).hasSize(2);
    // newest first: the launch that took the group from 0 to 1 instance is the oldest
    assertThat(activities.getJsonObject(0).getString("Cause")).contains("increasing the capacity from 1 to 2");
    assertThat(activities.getJsonObject(1).getString("Cause")).contains("increasing the capacity from 0 to 2");

    JsonObject listener = get("/api/listeners").getJsonArray("Listeners").getJsonObject(0);
    assertThat(listener.getString("Name")).isEqualTo("MyWebALB");
    assertThat(listener.getInteger("Port")).isEqualTo(lab.listener().actualPort());
    JsonObject rule = listener.getJsonArray("Rules").getJsonObject(0);
    assertThat(rule.getString("Priority")).isEqualTo("default");
    assertThat(rule.getJsonArray("Actions").getJsonObject(0).getString("TargetGroupName"))
        .isEqualTo("MyWebTargetGroup");

    assertThat(http.get(admin, "/metrics", Http.headers("Authorization", "Bearer " + TOKEN)).body()).contains("HealthyHostCount{target_group=\"MyWebTargetGroup\"} 2");
  }

  @Test
  void stopWebThroughTheApiMakesTheTargetUnhealthyAfterExactlyTwoFailedChecks() {
    String id = lab.inServiceAndHealthy().get(0);
    HttpClient sse = vertx.createHttpClient();
    StringBuffer events = new StringBuffer();
    HttpClientResponse stream = sse.request(new RequestOptions().setHost("127.0.0.1").setPort(admin)
            .setURI("/api/events").putHeader("Authorization", "Bearer " + TOKEN))
        .compose(r -> r.send().map(x -> x.handler(b -> events.append(b.toString())).exceptionHandler(e -> { })))
        .await();
    assertThat(stream.statusCode()).isEqualTo(200);
    await().atMost(WAIT).until(() -> lab.admin().eventSubscribers() == 1);

    Http.Resp denied = post("/api/lab/instances/" + id + "/stop-web-server", null);
    assertThat(denied.status()).isEqualTo(401);
    assertThat(lab.webServerStopped(id)).isFalse();
    Http.Resp unknown = post("/api/lab/instances/i-00000000000000000/stop-web-server", TOKEN);
    assertThat(unknown.status()).isEqualTo(404);
    assertThat(unknown.json().getString("message")).startsWith("instance \"i-00000000000000000\" is not a running"
        + " instance of MyASG (running: [");

    Http.Resp stopped = post("/api/lab/instances/" + id + "/stop-web-server", TOKEN);
    assertThat(stopped.status()).isEqualTo(200);
    assertThat(stopped.json().getString("WebServer")).isEqualTo("stopped");
    assertThat(lab.webServerStopped(id)).isTrue();
    // the same code path as the console's stop-web: the timeline records it
    assertThat(bytes.toString(StandardCharsets.UTF_8)).contains("web server of " + id + " stopped (service httpd stop)");

    await().atMost(WAIT).until(() -> healthOf(id).startsWith("unhealthy"));
    assertThat(lab.failedChecksWhenUnhealthy(id)).isEqualTo(2);
    assertThat(lab.targetHealth(id).state()).isEqualTo(TargetHealth.State.UNHEALTHY);
    assertThat(healthOf(id)).isEqualTo("unhealthy Target.FailedHealthChecks");
    await().atMost(WAIT).until(() -> events.toString().contains("\"targetId\":\"" + id + "\"")
        && events.toString().contains("\"current\":{\"State\":\"unhealthy\",\"Reason\":\"Target.FailedHealthChecks\""));

    Http.Resp started = post("/api/lab/instances/" + id + "/start-web-server", TOKEN);
    assertThat(started.json().getString("WebServer")).isEqualTo("started");
    await().atMost(WAIT).until(() -> healthOf(id).equals("healthy"));
    sse.close().await();
  }
}
