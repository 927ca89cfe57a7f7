package dev.loadstar.gateway.accesslog;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.loadstar.gateway.GatewayRuntime;
import dev.loadstar.gateway.config.GatewayConfig;
import dev.loadstar.gateway.support.Http;
import dev.loadstar.gateway.support.Prometheus;
import dev.loadstar.gateway.support.RefusingPorts;
import io.vertx.core.Vertx;
import io.vertx.core.http.HttpServer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * Known traffic through a gateway with access logs on (a forward, a retry, a 502, a 504, a redirect, a fixed response,
 * a function target, a 463): every line matches ALB's access log format, and each field is what ALB would log.
 */
@Timeout(90)
class AccessLogFormatTest {

  /** ALB's entry, field by field in ALB's order (the Athena expression, tightened to the values Loadstar writes). */
  static final Pattern ALB = Pattern.compile("^(?<type>http|https|h2|grpcs|ws|wss) "
      + "(?<time>\\d{4}-\\d\\d-\\d\\dT\\d\\d:\\d\\d:\\d\\d\\.\\d{6}Z) "
      + "(?<elb>[^ ]+) "
      + "(?<client>[0-9.]+:\\d+) "
      + "(?<target>-|[0-9.]+:\\d+) "
      + "(?<rpt>-1|\\d+\\.\\d{3}) (?<tpt>-1|\\d+\\.\\d{3}) (?<rspt>-1|\\d+\\.\\d{3}) "
      + "(?<elbStatus>-|\\d{3}) (?<targetStatus>-|\\d{3}) "
      + "(?<received>\\d+) (?<sent>\\d+) "
      + "\"(?<method>[^ ]+) (?<url>[^ ]+) (?<version>HTTP/[0-9.]+)\" "
      + "\"(?<ua>(?:[^\"\\\\]|\\\\.)*)\" "
      + "(?<cipher>[^ ]+) (?<protocol>[^ ]+) "
      + "(?<tg>[^ ]+) "
      + "\"(?<trace>[^\"]*)\" \"(?<domain>[^\"]*)\" \"(?<cert>[^\"]*)\" "
      + "(?<priority>-|-1|\\d+) "
      + "(?<created>\\d{4}-\\d\\d-\\d\\dT\\d\\d:\\d\\d:\\d\\d\\.\\d{6}Z) "
      + "\"(?<actions>[^\"]*)\" \"(?<redirect>[^\"]*)\" \"(?<error>[^\"]*)\" "
      + "\"(?<targets>[^\"]*)\" \"(?<codes>[^\"]*)\" "
      + "\"(?<classification>[^\"]*)\" \"(?<reason>[^\"]*)\" "
      + "(?<tid>TID_[0-9a-f]+)$");

  private static final List<String> FIELDS = List.of("type", "time", "elb", "client", "target", "rpt", "tpt", "rspt",
      "elbStatus", "targetStatus", "received", "sent", "method", "url", "version", "ua", "cipher", "protocol", "tg",
      "trace", "domain", "cert", "priority", "created", "actions", "redirect", "error", "targets", "codes",
      "classification", "reason", "tid");

  private final Vertx vertx = Vertx.vertx();
  private GatewayRuntime runtime;
  private final RefusingPorts refusing = new RefusingPorts();

  @AfterEach
  void tearDown() {
    if (runtime != null) {
      runtime.close().await();
    }
    vertx.close().await();
    refusing.close();
  }


  /** Parses one line into its fields (the line must match ALB's format). */
  static Map<String, String> parse(String line) {
    Matcher m = ALB.matcher(line);
    assertThat(m.matches()).as("ALB access log entry: %s", line).isTrue();
    Map<String, String> f = new HashMap<>();
    for (String name : FIELDS) {
      f.put(name, m.group(name));
    }
    return f;
  }

  @Test
  void everyKindOfRequestIsLoggedInAlbsFormat(@TempDir Path dir) throws Exception {
    HttpServer backend = vertx.createHttpServer().requestHandler(req -> {
      if (!req.path().equals("/hang")) {
        req.response().end("ok");
      }
    }).listen(0, "127.0.0.1").await();
    int app = backend.actualPort();
    int dead = refusing.next();
    Path log = dir.resolve("access.log");
    String yaml = """
        admin: {port: 0}
        listeners:
          - name: web
            host: 127.0.0.1
            port: 0
            attributes:
              idle_timeout.timeout_seconds: 1
              access_logs.enabled: true
              access_logs.path: %s
            rules:
              - {priority: 10, conditions: [{field: path-pattern, values: [/old]}],
                 actions: [{type: redirect, redirectConfig: {statusCode: HTTP_301, path: /new}}]}
              - {priority: 20, conditions: [{field: path-pattern, values: [/fixed]}],
                 actions: [{type: fixed-response, fixedResponseConfig: {statusCode: 418, contentType: text/plain,
                   messageBody: teapot}}]}
              - {priority: 30, conditions: [{field: path-pattern, values: [/retry]}],
                 actions: [{type: forward, targetGroupName: flaky}]}
              - {priority: 40, conditions: [{field: path-pattern, values: [/dead]}],
                 actions: [{type: forward, targetGroupName: dead}]}
              - {priority: 50, conditions: [{field: path-pattern, values: [/hang]}],
                 actions: [{type: forward, targetGroupName: app}]}
              - {priority: 60, conditions: [{field: path-pattern, values: [/fn]}],
                 actions: [{type: forward, targetGroupName: fn}]}
            defaultActions: [{type: forward, targetGroupName: app}]
        targetGroups:
          - name: app
            healthCheck: {intervalSeconds: 0.5, timeoutSeconds: 0.2, embedded: true, path: /health}
            targets: [{id: a1, host: 127.0.0.1, port: %d}]
          - name: flaky
            healthCheck: {enabled: false}
            outlierDetection: {enabled: false}
            targets: [{id: f-dead, host: 127.0.0.1, port: %d}, {id: f-live, host: 127.0.0.1, port: %d}]
          - name: dead
            healthCheck: {enabled: false}
            outlierDetection: {enabled: false}
            targets: [{id: d1, host: 127.0.0.1, port: %d}]
          - name: fn
            targets: [{id: echo-1, function: echo}]
        """.formatted(log, app, dead, app, dead);
    runtime = GatewayRuntime.create(vertx, GatewayConfig.parse(yaml, "gw.yaml", false, Map.<String, String>of()::get));
    runtime.start().await();
    int web = runtime.listenerPort("web");
    Instant before = Instant.now().minusSeconds(1);
    String ua = "loadstar-test/1.0 (\"quoted\")";
    List<String> xff = new ArrayList<>();
    for (int i = 0; i < 31; i++) {
      xff.add("10.0.0." + i);
    }
    try (Http http = new Http(vertx)) {
      assertThat(http.get(web, "/ok?x=1", Http.headers("User-Agent", ua)).status()).isEqualTo(200);
      assertThat(http.get(web, "/retry").status()).isEqualTo(200);
      assertThat(http.get(web, "/retry").status()).isEqualTo(200);
      assertThat(http.get(web, "/dead").status()).isEqualTo(502);
      assertThat(http.get(web, "/hang").status()).isEqualTo(504);
      assertThat(http.get(web, "/old", Http.headers("Host", "example.com")).status()).isEqualTo(301);
      assertThat(http.get(web, "/fixed").status()).isEqualTo(418);
      assertThat(http.get(web, "/fn").status()).isEqualTo(200);
      assertThat(http.get(web, "/xff", Http.headers("X-Forwarded-For", String.join(", ", xff))).status())
          .isEqualTo(463);
    }
    await().atMost(Duration.ofSeconds(10)).until(() -> Files.exists(log) && Files.readAllLines(log).size() == 9);
    Instant after = Instant.now().plusSeconds(1);
    Map<String, Map<String, String>> byPath = new HashMap<>();
    List<Map<String, String>> retries = new ArrayList<>();
    for (String line : Files.readAllLines(log)) {
      Map<String, String> f = parse(line);
      // fields every entry shares
      assertThat(f.get("type")).isEqualTo("http");
      assertThat(f.get("elb")).isEqualTo("web");
      assertThat(f.get("client")).startsWith("127.0.0.1:");
      assertThat(f.get("version")).isEqualTo("HTTP/1.1");
      assertThat(f.get("cipher")).isEqualTo("-");
      assertThat(f.get("protocol")).isEqualTo("-");
      assertThat(f.get("domain")).isEqualTo("-");
      assertThat(f.get("cert")).isEqualTo("-");
      assertThat(f.get("classification")).isEqualTo("-");
      assertThat(f.get("reason")).isEqualTo("-");
      Instant time = Instant.parse(f.get("time"));
      Instant created = Instant.parse(f.get("created"));
      assertThat(created).isBetween(before, after).isBeforeOrEqualTo(time);
      assertThat(time).isBetween(before, after);
      assertThat(Long.parseLong(f.get("received"))).isPositive();
      String path = f.get("url").replaceFirst("^http://[^/]+", "").replaceFirst("\\?.*", "");
      if (path.equals("/retry")) {
        retries.add(f);
      } else {
        byPath.put(path, f);
      }
    }

    Map<String, String> ok = byPath.get("/ok");
    assertThat(ok.get("target")).isEqualTo("127.0.0.1:" + app);
    assertThat(ok.get("rpt")).isNotEqualTo("-1");
    assertThat(ok.get("tpt")).isNotEqualTo("-1");
    assertThat(ok.get("rspt")).isNotEqualTo("-1");
    assertThat(ok.get("elbStatus")).isEqualTo("200");
    assertThat(ok.get("targetStatus")).isEqualTo("200");
    assertThat(ok.get("sent")).isEqualTo("2");
    assertThat(ok.get("method")).isEqualTo("GET");
    assertThat(ok.get("url")).isEqualTo("http://127.0.0.1:" + web + "/ok?x=1");
    assertThat(ok.get("ua")).isEqualTo("loadstar-test/1.0 (\\\"quoted\\\")");
    assertThat(ok.get("tg")).isEqualTo("app");
    assertThat(ok.get("trace")).matches("Root=1-[0-9a-f]{8}-[0-9a-f]{24}");
    assertThat(ok.get("priority")).isEqualTo("0");
    assertThat(ok.get("actions")).isEqualTo("forward");
    assertThat(ok.get("redirect")).isEqualTo("-");
    assertThat(ok.get("error")).isEqualTo("-");
    assertThat(ok.get("targets")).isEqualTo("127.0.0.1:" + app);
    assertThat(ok.get("codes")).isEqualTo("200");

    // round robin over [dead, live]: one of the two requests tried the dead target first and was retried
    assertThat(retries).hasSize(2);
    Map<String, String> retried = retries.stream().filter(f -> f.get("targets").contains(" ")).findFirst()
        .orElseThrow(() -> new AssertionError("no retried request in " + retries));
    assertThat(retried.get("targets")).isEqualTo("127.0.0.1:" + dead + " 127.0.0.1:" + app);
    assertThat(retried.get("codes")).isEqualTo("- 200");
    assertThat(retried.get("target")).isEqualTo("127.0.0.1:" + app);
    assertThat(retried.get("elbStatus")).isEqualTo("200");
    assertThat(retried.get("targetStatus")).isEqualTo("200");
    assertThat(retried.get("tg")).isEqualTo("flaky");
    assertThat(retried.get("priority")).isEqualTo("30");
    assertThat(retried.get("error")).isEqualTo("-");

    Map<String, String> badGateway = byPath.get("/dead");
    assertThat(badGateway.get("elbStatus")).isEqualTo("502");
    assertThat(badGateway.get("targetStatus")).isEqualTo("-");
    assertThat(badGateway.get("target")).isEqualTo("127.0.0.1:" + dead);
    assertThat(badGateway.get("tpt")).isEqualTo("-1");
    assertThat(badGateway.get("rspt")).isEqualTo("-1");
    assertThat(badGateway.get("error")).isEqualTo("TargetConnectionError");
    assertThat(badGateway.get("targets")).isEqualTo("127.0.0.1:" + dead);
    assertThat(badGateway.get("codes")).isEqualTo("-");
    assertThat(badGateway.get("tg")).isEqualTo("dead");
    assertThat(badGateway.get("actions")).isEqualTo("forward");

    Map<String, String> timeout = byPath.get("/hang");
    assertThat(timeout.get("elbStatus")).isEqualTo("504");
    assertThat(timeout.get("targetStatus")).isEqualTo("-");
    assertThat(timeout.get("target")).isEqualTo("127.0.0.1:" + app);
    assertThat(timeout.get("rpt")).isNotEqualTo("-1");
    assertThat(timeout.get("tpt")).isEqualTo("-1");
    assertThat(timeout.get("error")).isEqualTo("TargetResponseTimeout");
    assertThat(timeout.get("priority")).isEqualTo("50");

    Map<String, String> redirect = byPath.get("/old");
    assertThat(redirect.get("elbStatus")).isEqualTo("301");
    assertThat(redirect.get("target")).isEqualTo("-");
    assertThat(redirect.get("rpt")).isEqualTo("-1");
    assertThat(redirect.get("tpt")).isEqualTo("-1");
    assertThat(redirect.get("rspt")).isEqualTo("-1");
    assertThat(redirect.get("targetStatus")).isEqualTo("-");
    assertThat(redirect.get("tg")).isEqualTo("-");
    assertThat(redirect.get("trace")).isEqualTo("-");
    assertThat(redirect.get("priority")).isEqualTo("10");
    assertThat(redirect.get("actions")).isEqualTo("redirect");
    assertThat(redirect.get("redirect")).isEqualTo("http://example.com:" + web + "/new");
    assertThat(redirect.get("targets")).isEqualTo("-");
    assertThat(redirect.get("codes")).isEqualTo("-");

    Map<String, String> fixed = byPath.get("/fixed");
    assertThat(fixed.get("elbStatus")).isEqualTo("418");
    assertThat(fixed.get("sent")).isEqualTo("6");
    assertThat(fixed.get("actions")).isEqualTo("fixed-response");
    assertThat(fixed.get("priority")).isEqualTo("20");
    assertThat(fixed.get("tg")).isEqualTo("-");
    assertThat(fixed.get("target")).isEqualTo("-");

    Map<String, String> function = byPath.get("/fn");
    assertThat(function.get("elbStatus")).isEqualTo("200");
    assertThat(function.get("targetStatus")).isEqualTo("200");
    assertThat(function.get("target")).as("a Lambda target has no address").isEqualTo("-");
    assertThat(function.get("tg")).isEqualTo("fn");
    assertThat(function.get("actions")).isEqualTo("forward");
    assertThat(function.get("targets")).isEqualTo("-");
    assertThat(function.get("codes")).isEqualTo("200");
    assertThat(function.get("priority")).isEqualTo("60");

    Map<String, String> tooManyHops = byPath.get("/xff");
    assertThat(tooManyHops.get("elbStatus")).isEqualTo("463");
    assertThat(tooManyHops.get("targetStatus")).isEqualTo("-");
    assertThat(tooManyHops.get("target")).isEqualTo("-");
    assertThat(tooManyHops.get("priority")).isEqualTo("-");
    assertThat(tooManyHops.get("actions")).isEqualTo("-");
    assertThat(tooManyHops.get("tg")).isEqualTo("-");

    // requests on one connection share its trace id (the test client keeps its connection alive)
    assertThat(retries).allMatch(f -> f.get("tid").equals(ok.get("tid")));
    String scrape = runtime.registry().scrape();
    assertThat(Prometheus.value(scrape, "AccessLogDroppedCount_total{listener=\"web\",reason=\"queue_full\"}"))
        .hasValue(0);
  }
}
