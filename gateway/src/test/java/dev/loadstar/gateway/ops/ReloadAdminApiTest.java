package dev.loadstar.gateway.ops;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.loadstar.gateway.GatewayRuntime;
import dev.loadstar.gateway.config.GatewayConfig;
import dev.loadstar.gateway.support.Http;
import io.vertx.core.MultiMap;
import io.vertx.core.Vertx;
import io.vertx.core.http.HttpClient;
import io.vertx.core.http.HttpMethod;
import io.vertx.core.http.HttpServer;
import io.vertx.core.http.RequestOptions;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Map;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code POST /api/reload} and ALB's verbs on the admin API (CreateRule, ModifyRule, DeleteRule,
 * ModifyTargetGroupAttributes, ModifyTargetGroup's health check): token-protected, validated with the file's messages,
 * an invalid change reported (400 with every error, an event) and nothing changed.
 */
@Timeout(90)
class ReloadAdminApiTest {

  private static final String TOKEN = "reload-admin-token-0123456789";

  private final Vertx vertx = Vertx.vertx();
  private GatewayRuntime runtime;
  private Http http;
  private Path file;
  private int web;
  private int admin;
  private int backend;

  @TempDir
  Path dir;

  @AfterEach
  void tearDown() {
    http.close();
    runtime.close().await();
    vertx.close().await();
  }

  private String config(String body) {
    return """
        admin: {port: 0, token: %s}
        listeners:
          - name: web
            host: 127.0.0.1
            port: 0
            rules:
              - {priority: 10, conditions: [{field: path-pattern, values: [/ten]}],
                 actions: [{type: fixed-response, fixedResponseConfig: {statusCode: 200, messageBody: %s}}]}
            defaultActions: [{type: forward, targetGroupName: app}]
        targetGroups:
          - name: app
            healthCheck: {intervalSeconds: 0.5, timeoutSeconds: 0.2, embedded: true}
            targets: [{id: a1, host: 127.0.0.1, port: %d}]
        """.formatted(TOKEN, body, backend);
  }

  @BeforeEach
  void setUp() throws Exception {
    HttpServer s = vertx.createHttpServer().requestHandler(req -> req.response().end("app")).listen(0, "127.0.0.1")
        .await();
    backend = s.actualPort();
    file = dir.resolve("gw.yaml");
    Files.writeString(file, config("ten"));
    runtime = GatewayRuntime.create(vertx, GatewayConfig.load(file, Map.<String, String>of()::get));
    runtime.start().await();
    web = runtime.listenerPort("web");
    admin = runtime.admin().actualPort();
    http = new Http(vertx);
  }

  private Http.Resp send(HttpMethod method, String uri, String body, String token) {
    MultiMap h = Http.headers("content-type", "application/json");
    if (token != null) {
      h.add("Authorization", "Bearer " + token);
    }
    return http.send(method, admin, uri, h, body);
  }

  private String get(String uri) {
    return http.get(web, uri).body();
  }

  @Test
  void reloadReReadsTheFileAndAnInvalidOneChangesNothingAndIsReported() throws Exception {
    StringBuilder events = new StringBuilder();
    HttpClient sse = vertx.createHttpClient();
    sse.request(new RequestOptions().setHost("127.0.0.1").setPort(admin).setURI("/api/events")
            .putHeader("Authorization", "Bearer " + TOKEN))
        .compose(r -> r.send().map(x -> x.handler(b -> {
          synchronized (events) {
            events.append(b.toString());
          }
        }).exceptionHandler(e -> { }))).await();

    Files.writeString(file, config("eleven"));
    assertThat(send(HttpMethod.POST, "/api/reload", null, null).status()).isEqualTo(401);
    assertThat(get("/ten")).isEqualTo("ten");
    Http.Resp ok = send(HttpMethod.POST, "/api/reload", null, TOKEN);
    assertThat(ok.status()).isEqualTo(200);
    assertThat(ok.json().getJsonArray("Changes")).containsExactly("listener web: rules replaced");
    assertThat(get("/ten")).isEqualTo("eleven");

    Files.writeString(file, config("twelve").replace("intervalSeconds: 0.5", "intervalSeconds: 0")
        .replace("targetGroupName: app", "targetGroupName: ap"));
    Http.Resp bad = send(HttpMethod.POST, "/api/reload", null, TOKEN);
    assertThat(bad.status()).isEqualTo(400);
    JsonObject error = bad.json();
    assertThat(error.getString("error")).isEqualTo("ValidationError");
    JsonArray errors = error.getJsonArray("Errors");
    assertThat(errors).hasSize(2);
    assertThat(errors.getString(0)).startsWith(file + ":9:").contains("listeners[0].defaultActions[0].targetGroupName: "
        + "\"ap\" (expected: the name of a target group defined under targetGroups (app); did you mean \"app\"?)");
    assertThat(errors.getString(1)).startsWith(file + ":12:")
        .contains("targetGroups[0].healthCheck.intervalSeconds: 0 (expected: ");
    assertThat(get("/ten")).as("nothing changed").isEqualTo("eleven");
    await().atMost(Duration.ofSeconds(10)).until(() -> {
      synchronized (events) {
        return events.toString().contains("\"result\":\"rejected\"");
      }
    });
    synchronized (events) {
      assertThat(events.toString()).contains("event: config-reload\ndata: {\"source\":\"" + file
          + "\",\"result\":\"applied\",\"changes\":[\"listener web: rules replaced\"]");
      assertThat(events.toString()).contains("\"result\":\"rejected\",\"errors\":[\"" + file + ":9:");
    }
    sse.close().await();
  }

  @Test
  void rulesAreCreatedModifiedAndDeletedThroughTheApi() {
    String rule = "{\"priority\": 5, \"conditions\": [{\"field\": \"path-pattern\", \"values\": [\"/five\"]}],"
        + " \"actions\": [{\"type\": \"fixed-response\", \"fixedResponseConfig\": {\"statusCode\": 200,"
        + " \"messageBody\": \"five\"}}]}";
    assertThat(send(HttpMethod.POST, "/api/listeners/web/rules", rule, null).status()).isEqualTo(401);
    Http.Resp created = send(HttpMethod.POST, "/api/listeners/web/rules", rule, TOKEN);
    assertThat(created.status()).isEqualTo(200);
    assertThat(created.json().getJsonArray("Rules").size()).isEqualTo(3); // 5, 10 and the default
    assertThat(get("/five")).isEqualTo("five");

    // the same checks and messages as the file
    Http.Resp taken = send(HttpMethod.POST, "/api/listeners/web/rules", rule.replace("/five", "/other"), TOKEN);
    assertThat(taken.status()).isEqualTo(400);
    assertThat(taken.json().getString("message")).contains("listeners[0].rules[").contains("priority")
        .contains("5");
    Http.Resp badGroup = send(HttpMethod.POST, "/api/listeners/web/rules", "{\"priority\": 6, \"conditions\": "
        + "[{\"field\": \"path-pattern\", \"values\": [\"/x\"]}], \"actions\": [{\"type\": \"forward\","
        + " \"targetGroupName\": \"aap\"}]}", TOKEN);
    assertThat(badGroup.status()).isEqualTo(400);
    assertThat(badGroup.json().getString("message")).isEqualTo("listeners[0].rules[2].actions[0].targetGroupName: "
        + "\"aap\" (expected: the name of a target group defined under targetGroups (app); did you mean \"app\"?)");

    Http.Resp modified = send(HttpMethod.PUT, "/api/listeners/web/rules/5", rule.replace("\"five\"", "\"5!\""),
        TOKEN);
    assertThat(modified.status()).isEqualTo(200);
    assertThat(get("/five")).isEqualTo("5!");
    assertThat(send(HttpMethod.PUT, "/api/listeners/web/rules/7", rule, TOKEN).status()).isEqualTo(404);
    assertThat(send(HttpMethod.DELETE, "/api/listeners/nope/rules/5", null, TOKEN).status()).isEqualTo(404);

    assertThat(send(HttpMethod.DELETE, "/api/listeners/web/rules/5", null, TOKEN).status()).isEqualTo(200);
    assertThat(get("/five")).isEqualTo("app"); // the default rule again
  }

  @Test
  void targetGroupAttributesAndHealthCheckAreModifiedThroughTheApi() {
    await().atMost(Duration.ofSeconds(10)).until(() -> runtime.targetGroups().get("app").target("a1").health()
        .state() == dev.loadstar.core.TargetHealth.State.HEALTHY);
    var before = runtime.targetGroups().get("app");
    Http.Resp attrs = send(HttpMethod.PUT, "/api/target-groups/app/attributes",
        "{\"deregistration_delay.timeout_seconds\": \"30\", \"load_balancing.algorithm.type\": "
            + "\"least_outstanding_requests\"}", TOKEN);
    assertThat(attrs.status()).isEqualTo(200);
    assertThat(attrs.json().getJsonObject("Attributes").getString("deregistration_delay.timeout_seconds"))
        .isEqualTo("30");
    var after = runtime.targetGroups().get("app");
    assertThat(after).as("rebuilt").isNotSameAs(before);
    assertThat(after.target("a1").health().state()).as("health kept")
        .isEqualTo(dev.loadstar.core.TargetHealth.State.HEALTHY);
    assertThat(get("/")).isEqualTo("app");

    Http.Resp badAttr = send(HttpMethod.PUT, "/api/target-groups/app/attributes",
        "{\"slow_start.duration_seconds\": 10}", TOKEN);
    assertThat(badAttr.status()).isEqualTo(400);
    assertThat(badAttr.json().getString("message")).startsWith("targetGroups[0].attributes.slow_start.duration_seconds:"
        + " 10 (expected: ");

    Http.Resp hc = send(HttpMethod.PUT, "/api/target-groups/app/health-check", "{\"intervalSeconds\": 0.7}", TOKEN);
    assertThat(hc.status()).isEqualTo(200);
    assertThat(hc.json().getJsonObject("HealthCheck").getValue("HealthCheckIntervalSeconds")).isEqualTo(0.7);
    assertThat(runtime.targetGroups().get("app")).as("a health check change keeps the group").isSameAs(after);
    assertThat(after.target("a1").health().state()).isEqualTo(dev.loadstar.core.TargetHealth.State.HEALTHY);
    Http.Resp badHc = send(HttpMethod.PUT, "/api/target-groups/app/health-check", "{\"intervalSeconds\": 0.7,"
        + " \"timeoutSeconds\": 1}", TOKEN);
    assertThat(badHc.status()).isEqualTo(400);
    assertThat(badHc.json().getJsonArray("Errors")).anyMatch(e -> e.toString()
        .contains("targetGroups[0].healthCheck.timeoutSeconds: 1 (expected:"));
    assertThat(runtime.healthCheck("app").interval()).isEqualTo(Duration.ofMillis(700)); // unchanged
    assertThat(send(HttpMethod.PUT, "/api/target-groups/nope/health-check", "{}", TOKEN).status()).isEqualTo(404);
  }
}
