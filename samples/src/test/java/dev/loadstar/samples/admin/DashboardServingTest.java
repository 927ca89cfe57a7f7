package dev.loadstar.samples.admin;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.loadstar.samples.lab.LabSettings;
import dev.loadstar.samples.lab.SeedLab;
import dev.loadstar.samples.lab.Timeline;
import dev.loadstar.gateway.support.Http;
import io.vertx.core.Vertx;
import io.vertx.core.http.HttpClient;
import io.vertx.core.http.HttpClientResponse;
import io.vertx.core.http.HttpMethod;
import io.vertx.core.http.RequestOptions;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.time.Duration;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/** The dashboard's files and the figures it reads, without a browser, on a running lab. */
@Timeout(90)
class DashboardServingTest {

  private static final Duration WAIT = Duration.ofSeconds(30);
  private static final String TOKEN = "serving-token";
  private static final io.vertx.core.MultiMap AUTH = Http.headers("Authorization", "Bearer " + TOKEN);

  private Vertx vertx;
  private SeedLab lab;
  private Http http;
  private int admin;

  @BeforeEach
  void setUp() {
    vertx = Vertx.vertx();
    lab = SeedLab.start(vertx, LabSettings.unattended(0), new Timeline(),
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

  @Test
  void thePageAndItsAssetsAreServedWithTheirTypesAndRevalidation() {
    Http.Resp page = http.get(admin, "/");
    assertThat(page.status()).isEqualTo(200);
    assertThat(page.headers().get("content-type")).isEqualTo("text/html; charset=utf-8");
    assertThat(page.headers().get("cache-control")).isEqualTo("no-cache");
    assertThat(page.headers().get("content-security-policy")).contains("default-src 'none'", "script-src 'self'",
        "connect-src 'self'");
    assertThat(page.body()).contains("<script src=\"/dashboard.js\" defer></script>")
        .contains("<link rel=\"stylesheet\" href=\"/dashboard.css\">")
        .contains("Admin server unreachable — retrying");
    assertThat(http.get(admin, "/index.html").body()).isEqualTo(page.body());

    Http.Resp js = http.get(admin, "/dashboard.js");
    assertThat(js.status()).isEqualTo(200);
    assertThat(js.headers().get("content-type")).isEqualTo("text/javascript; charset=utf-8");
    assertThat(js.headers().get("x-content-type-options")).isEqualTo("nosniff");
    assertThat(js.body()).contains("new EventSource('/api/events?lastEventId=0')").contains("'/api/stats'");
    Http.Resp css = http.get(admin, "/dashboard.css");
    assertThat(css.headers().get("content-type")).isEqualTo("text/css; charset=utf-8");
    assertThat(css.body()).contains(".state-unhealthy");

    String etag = js.headers().get("etag");
    assertThat(etag).matches("\"[0-9a-f]{24}\"");
    Http.Resp again = http.get(admin, "/dashboard.js", Http.headers("If-None-Match", etag));
    assertThat(again.status()).isEqualTo(304);
    assertThat(again.body()).isEmpty();
    assertThat(http.get(admin, "/dashboard.js", Http.headers("If-None-Match", "\"other\"")).status()).isEqualTo(200);

    // the token rules hold at / too: the page's files are open (they hold no state), anything else needs the token
    assertThat(http.send(HttpMethod.POST, admin, "/", null, null).status()).isEqualTo(401);
    assertThat(http.send(HttpMethod.POST, admin, "/", Http.headers("Authorization", "Bearer " + TOKEN), null)
        .status()).isEqualTo(405);
    assertThat(http.get(admin, "/nothing-here.js").status()).isEqualTo(404);
  }

  @Test
  void statsCountEveryRequestPerTargetWithRateLatencyAndHistory() {
    int gateway = lab.listener().actualPort();
    for (int i = 0; i < 20; i++) {
      assertThat(http.get(gateway, "/").status()).isEqualTo(200);
    }
    // a request is counted when the gateway has written its response out, which the client may see first; the
    // latency and the history come from the seconds the stats timer has closed since
    await().atMost(WAIT).untilAsserted(() -> assertStatsCountTwentyRequests(
        http.get(admin, "/api/target-groups/MyWebTargetGroup/stats?history=true", AUTH).json()));

    JsonObject all = http.get(admin, "/api/stats", AUTH).json();
    assertThat(all.getInteger("IntervalSeconds")).isEqualTo(1);
    assertThat(all.getJsonArray("TargetGroups")).hasSize(1);
    assertThat(all.getJsonArray("TargetGroups").getJsonObject(0).getJsonArray("Targets").getJsonObject(0)
        .containsKey("RequestsPerSecondHistory")).isFalse();
    JsonObject asg = all.getJsonArray("AutoScalingGroups").getJsonObject(0);
    assertThat(asg.getString("AutoScalingGroupName")).isEqualTo("MyASG");
    assertThat(asg.getInteger("DesiredCapacity")).isEqualTo(2);

    Http.Resp missing = http.get(admin, "/api/target-groups/Nope/stats", AUTH);
    assertThat(missing.status()).isEqualTo(404);
    assertThat(missing.json().getString("error")).isEqualTo("TargetGroupNotFound");
  }

  private void assertStatsCountTwentyRequests(JsonObject g) {
    assertThat(g.getString("TargetGroupName")).isEqualTo("MyWebTargetGroup");
    assertThat(g.getString("Stickiness")).isEqualTo("off");
    JsonArray targets = g.getJsonArray("Targets");
    assertThat(targets).hasSize(2);
    long total = 0;
    for (Object o : targets) {
      JsonObject t = (JsonObject) o;
      assertThat(lab.inServiceAndHealthy()).contains(t.getString("Id"));
      assertThat(t.getString("State")).isEqualTo("healthy");
      assertThat(t.getInteger("InFlight")).isZero();
      assertThat(t.getInteger("StickySessionsPinned")).isZero();
      // round robin over two targets: 10 each
      assertThat(t.getLong("RequestCount")).isEqualTo(10);
      total += t.getLong("RequestCount");
      assertThat(t.getValue("P99LatencyMs")).as("P99LatencyMs").isNotNull();
      assertThat(t.getDouble("P99LatencyMs")).isPositive().isLessThan(30_000.0);
      JsonArray history = t.getJsonArray("RequestsPerSecondHistory");
      assertThat(history).isNotEmpty();
      assertThat(history.size()).isLessThanOrEqualTo(180);
      assertThat(history.stream().mapToDouble(x -> ((Number) x).doubleValue()).max().orElse(0)).isPositive();
    }
    assertThat(total).isEqualTo(20);
  }

  @Test
  void aPageAsksTheEventStreamForWhatItKept() {
    // as the page does: EventSource sends no headers, so it rides on the session cookie set for the token
    Http.Resp session = http.send(HttpMethod.POST, admin, "/api/session", AUTH, null);
    assertThat(session.status()).isEqualTo(204);
    String cookie = session.headers().get("Set-Cookie").split(";", 2)[0];
    HttpClient sse = vertx.createHttpClient();
    StringBuffer text = new StringBuffer();
    HttpClientResponse resp = sse.request(new RequestOptions().setHost("127.0.0.1").setPort(admin)
            .setURI("/api/events?lastEventId=0").putHeader("Cookie", cookie))
        .compose(r -> r.send().map(x -> x.handler(b -> text.append(b.toString())).exceptionHandler(e -> { })))
        .await();
    assertThat(resp.statusCode()).isEqualTo(200);
    // the instances registered and turned healthy before the stream was opened: replayed from the kept events
    for (String id : lab.inServiceAndHealthy()) {
      await().atMost(WAIT).until(() -> text.toString().contains("event: target-registered\ndata: {\"targetGroup\":"
          + "\"MyWebTargetGroup\",\"targetId\":\"" + id + "\""));
    }
    assertThat(text.toString()).startsWith("retry: 2000\n").contains("id: 1\n");
    sse.close().await();
  }
}
