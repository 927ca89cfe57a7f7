package dev.loadstar.gateway.metrics;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.loadstar.core.TargetGroup;
import dev.loadstar.core.TargetHealth;
import dev.loadstar.gateway.config.GatewayConfig;
import dev.loadstar.gateway.GatewayRuntime;
import dev.loadstar.gateway.support.Http;
import dev.loadstar.gateway.support.Prometheus;
import dev.loadstar.gateway.support.RefusingPorts;
import io.vertx.core.Vertx;
import io.vertx.core.http.HttpServer;
import java.time.Duration;
import java.util.Map;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * The Prometheus endpoint after known traffic: every CloudWatch-named series with its exact count, ELB-generated
 * errors apart from target errors, and per-target series that leave with their target.
 */
@Timeout(60)
class GatewayMetricsTest {

  private static final String CONFIG = """
      admin: {port: 0}
      listeners:
        - name: web
          host: 127.0.0.1
          port: 0
          rules:
            - priority: 1
              conditions: [{field: path-pattern, values: ["/dead/*"]}]
              actions: [{type: forward, targetGroupName: dead}]
            - priority: 2
              conditions: [{field: path-pattern, values: ["/empty/*"]}]
              actions: [{type: forward, targetGroupName: empty}]
          defaultActions: [{type: forward, targetGroupName: app}]
      targetGroups:
        - name: app
          targets: [{id: app-1, host: 127.0.0.1, port: "${env:APP_PORT}"}]
          attributes: {deregistration_delay.timeout_seconds: 0}
          healthCheck: {path: /200, intervalSeconds: 0.2, timeoutSeconds: 0.1, embedded: true,
            unhealthyThresholdCount: 10}
        - name: dead
          targets: [{id: dead-1, host: 127.0.0.1, port: "${env:DEAD_PORT}"}]
          healthCheck: {enabled: false}
          outlierDetection: {enabled: false}
        - name: empty
          healthCheck: {enabled: false}
      """;

  private Vertx vertx;
  private GatewayRuntime runtime;
  private Http http;
  private final RefusingPorts refusing = new RefusingPorts();

  @BeforeEach
  void start() {
    vertx = Vertx.vertx();
    // answers with the status code named by the last path segment (/404 -> 404), 200 otherwise
    HttpServer app = vertx.createHttpServer().requestHandler(req -> {
      String last = req.path().substring(req.path().lastIndexOf('/') + 1);
      req.response().setStatusCode(last.matches("[1-5][0-9][0-9]") ? Integer.parseInt(last) : 200).end();
    }).listen(0, "127.0.0.1").await();
    GatewayConfig config = GatewayConfig.parse(CONFIG, "metrics.yaml", false,
        Map.of("APP_PORT", Integer.toString(app.actualPort()), "DEAD_PORT", Integer.toString(refusing.next()))::get);
    runtime = GatewayRuntime.create(vertx, config);
    runtime.start().await();
    http = new Http(vertx);
    TargetGroup g = runtime.targetGroups().get("app");
    await().atMost(Duration.ofSeconds(15)).until(() -> g.target("app-1").health().state()
        == TargetHealth.State.HEALTHY);
  }

  @AfterEach
  void stop() {
    http.close();
    runtime.close().await();
    vertx.close().await();
    refusing.close();
  }

  private String scrape() {
    Http.Resp r = http.get(runtime.admin().actualPort(), "/metrics");
    assertThat(r.status()).isEqualTo(200);
    assertThat(r.headers().get("content-type")).startsWith("text/plain");
    return r.body();
  }

  @Test
  void cloudWatchNamedSeriesCountTheTraffic() {
    int web = runtime.listenerPort("web");
    for (String uri : new String[] {"/a", "/b", "/302", "/404", "/500", "/503", "/dead/x", "/empty/x"}) {
      http.get(web, uri);
    }
    // a request is counted per target (RequestCountPerTarget, TargetResponseTime) when the gateway has written its
    // response out, which the client may see first
    await().atMost(Duration.ofSeconds(10)).untilAsserted(() -> assertTrafficCounted(scrape()));
  }

  private static void assertTrafficCounted(String m) {
    // the listener: every request, and the errors it generated itself (502 refused target, 503 empty group)
    assertThat(Prometheus.value(m, "RequestCount_total{listener=\"web\"}")).hasValue(8);
    assertThat(Prometheus.value(m, "HTTPCode_ELB_5XX_Count_total{listener=\"web\"}")).hasValue(2);
    assertThat(Prometheus.value(m, "HTTPCode_ELB_502_Count_total{listener=\"web\"}")).hasValue(1);
    assertThat(Prometheus.value(m, "HTTPCode_ELB_503_Count_total{listener=\"web\"}")).hasValue(1);
    assertThat(Prometheus.value(m, "HTTPCode_ELB_504_Count_total{listener=\"web\"}")).hasValue(0);
    assertThat(Prometheus.value(m, "HTTPCode_ELB_4XX_Count_total{listener=\"web\"}")).hasValue(0);
    // the targets' own answers, by class, per target group (the 503 came from the target: not an ELB code)
    assertThat(Prometheus.value(m, "HTTPCode_Target_2XX_Count_total{target_group=\"app\"}")).hasValue(2);
    assertThat(Prometheus.value(m, "HTTPCode_Target_3XX_Count_total{target_group=\"app\"}")).hasValue(1);
    assertThat(Prometheus.value(m, "HTTPCode_Target_4XX_Count_total{target_group=\"app\"}")).hasValue(1);
    assertThat(Prometheus.value(m, "HTTPCode_Target_5XX_Count_total{target_group=\"app\"}")).hasValue(2);
    assertThat(Prometheus.value(m, "HTTPCode_Target_5XX_Count_total{target_group=\"dead\"}")).hasValue(0);
    // per target
    assertThat(Prometheus.value(m, "RequestCountPerTarget_total{target=\"app-1\",target_group=\"app\"}"))
        .hasValue(6);
    assertThat(Prometheus.value(m, "TargetResponseTime_seconds_count{target=\"app-1\",target_group=\"app\"}"))
        .hasValue(6);
    assertThat(Prometheus.valueOrZero(m, "TargetResponseTime_seconds_sum{target=\"app-1\",target_group=\"app\"}"))
        .isPositive();
    assertThat(Prometheus.value(m, "RequestCountPerTarget_total{target=\"dead-1\",target_group=\"dead\"}"))
        .hasValue(1);
    assertThat(Prometheus.value(m, "TargetConnectionErrorCount_total{target=\"dead-1\",target_group=\"dead\"}"))
        .hasValue(1);
    assertThat(Prometheus.value(m, "TargetConnectionErrorCount_total{target=\"app-1\",target_group=\"app\"}"))
        .hasValue(0);
    // health
    assertThat(Prometheus.value(m, "HealthyHostCount{target_group=\"app\"}")).hasValue(1);
    assertThat(Prometheus.value(m, "UnHealthyHostCount{target_group=\"app\"}")).hasValue(0);
    assertThat(Prometheus.value(m, "HealthyHostCount{target_group=\"dead\"}")).hasValue(1);
    assertThat(Prometheus.value(m, "HealthyHostCount{target_group=\"empty\"}")).hasValue(0);
  }

  @Test
  void connectionCountsFollowTheClientsConnections() {
    int web = runtime.listenerPort("web");
    Http client = new Http(vertx); // one pooled, kept-alive connection
    for (int i = 0; i < 3; i++) {
      assertThat(client.get(web, "/a").status()).isEqualTo(200);
    }
    await().atMost(Duration.ofSeconds(10)).until(() ->
        Prometheus.valueOrZero(scrape(), "ActiveConnectionCount{listener=\"web\"}") == 1);
    assertThat(Prometheus.value(scrape(), "NewConnectionCount_total{listener=\"web\"}")).hasValue(1);
    client.close();
    await().atMost(Duration.ofSeconds(10)).until(() ->
        Prometheus.valueOrZero(scrape(), "ActiveConnectionCount{listener=\"web\"}") == 0);
  }

  @Test
  void perTargetSeriesLeaveWithTheirTarget() {
    http.get(runtime.listenerPort("web"), "/a");
    // counted when the gateway has written the response out, which the client may see first
    await().atMost(Duration.ofSeconds(10)).untilAsserted(() ->
        assertThat(scrape()).contains("RequestCountPerTarget_total{target=\"app-1\",target_group=\"app\"} 1.0"));
    runtime.targetGroups().get("app").deregister("app-1").await();
    String m = scrape();
    assertThat(m).doesNotContain("target=\"app-1\"");
    assertThat(Prometheus.value(m, "HealthyHostCount{target_group=\"app\"}")).hasValue(0);
  }

  @Test
  void closingTheRuntimeRemovesEveryMeter() {
    GatewayMetrics metrics = new GatewayMetrics(new io.micrometer.core.instrument.simple.SimpleMeterRegistry());
    metrics.bindTargetGroup(runtime.targetGroups().get("app"));
    metrics.bindHttpListener("web", runtime.httpListener("web"));
    assertThat(metrics.registry().getMeters()).isNotEmpty();
    metrics.close();
    metrics.close();
    assertThat(metrics.registry().getMeters()).isEmpty();
  }
}
