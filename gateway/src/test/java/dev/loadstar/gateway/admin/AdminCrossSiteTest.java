package dev.loadstar.gateway.admin;

import static org.assertj.core.api.Assertions.assertThat;

import dev.loadstar.gateway.config.GatewayConfig;
import dev.loadstar.gateway.internal.admin.AdminGuards;
import dev.loadstar.gateway.GatewayRuntime;
import dev.loadstar.gateway.support.Http;
import io.vertx.core.Vertx;
import io.vertx.core.http.HttpMethod;
import java.util.Map;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * The admin API with its default settings (loopback, no token) refuses what a web page on another site can make a
 * browser send: cross-origin changes, bodies that are not JSON, and any request addressed by a rebound DNS name.
 */
@Timeout(60)
class AdminCrossSiteTest {

  private static final String CONFIG = """
      admin: {host: 127.0.0.1, port: 0, allowedHosts: [lb.internal.example]}
      listeners:
        - {name: web, host: 127.0.0.1, port: 0, defaultActions: [{type: forward, targetGroupName: web}]}
      targetGroups:
        - name: web
          attributes: {deregistration_delay.timeout_seconds: 0}
          targets: [{id: web-1, host: 127.0.0.1, port: 9}]
      """;
  private static final String TARGET = "{\"id\": \"evil\", \"host\": \"127.0.0.1\", \"port\": 8081}";

  private Vertx vertx;
  private GatewayRuntime runtime;
  private Http http;
  private int admin;

  @BeforeEach
  void start() {
    vertx = Vertx.vertx();
    runtime = GatewayRuntime.create(vertx, GatewayConfig.parse(CONFIG, "cross-site.yaml", false, Map.<String, String>of()::get));
    runtime.start().await();
    http = new Http(vertx);
    admin = runtime.admin().actualPort();
  }

  @AfterEach
  void stop() {
    http.close();
    runtime.close().await();
    vertx.close().await();
  }

  private Http.Resp send(HttpMethod method, String uri, String body, String... headers) {
    return http.send(method, admin, uri, Http.headers(headers), body);
  }

  private boolean registered(String id) {
    return runtime.targetGroups().get("web").target(id) != null;
  }

  @Test
  void aCrossOriginSimplePostIsRefusedAndRegistersNothing() {
    Http.Resp r = send(HttpMethod.POST, "/api/target-groups/web/targets", TARGET,
        "Origin", "https://evil.example", "Content-Type", "text/plain");
    assertThat(r.status()).isEqualTo(403);
    assertThat(r.json().getString("error")).isEqualTo("CrossSiteRequest");
    assertThat(r.json().getString("message"))
        .isEqualTo("Origin: https://evil.example (expected: this server's own origin: the admin API takes no changes"
            + " from other sites)");
    assertThat(registered("evil")).isFalse();
  }

  @Test
  void aCrossSiteFetchMetadataHeaderIsRefused() {
    Http.Resp r = send(HttpMethod.DELETE, "/api/target-groups/web/targets/web-1", null, "Sec-Fetch-Site", "cross-site");
    assertThat(r.status()).isEqualTo(403);
    assertThat(r.json().getString("error")).isEqualTo("CrossSiteRequest");
    assertThat(runtime.targetGroups().get("web").target("web-1").isActive()).isTrue();
  }

  @Test
  void aChangeWhoseBodyIsNotJsonIsRefusedEvenWithoutAnOrigin() {
    Http.Resp r = send(HttpMethod.POST, "/api/target-groups/web/targets", TARGET, "Content-Type", "text/plain");
    assertThat(r.status()).isEqualTo(415);
    assertThat(r.json().getString("error")).isEqualTo("UnsupportedMediaType");
    assertThat(r.json().getString("message")).isEqualTo("Content-Type: text/plain (expected: application/json)");
    Http.Resp form = send(HttpMethod.POST, "/api/target-groups/web/targets", "id=evil",
        "Content-Type", "application/x-www-form-urlencoded");
    assertThat(form.status()).isEqualTo(415);
    assertThat(registered("evil")).isFalse();
  }

  @Test
  void aReboundHostNameIsRefusedForReadsAndChanges() {
    Http.Resp read = send(HttpMethod.GET, "/api/target-groups", null, "Host", "rebind.evil.example:" + admin);
    assertThat(read.status()).isEqualTo(403);
    assertThat(read.json().getString("error")).isEqualTo("HostNotAllowed");
    assertThat(read.json().getString("message")).isEqualTo("Host \"rebind.evil.example:" + admin
        + "\" is not accepted (expected: a loopback name, the bind address 127.0.0.1 or a name listed in"
        + " admin.allowedHosts)");
    Http.Resp change = send(HttpMethod.DELETE, "/api/target-groups/web/targets/web-1", null,
        "Host", "rebind.evil.example:" + admin, "Origin", "http://rebind.evil.example:" + admin);
    assertThat(change.status()).isEqualTo(403);
    assertThat(runtime.targetGroups().get("web").target("web-1").isActive()).isTrue();
  }

  @Test
  void theServersOwnOriginLoopbackNamesAndAllowedHostsAreAccepted() {
    assertThat(send(HttpMethod.GET, "/api/target-groups", null, "Host", "localhost:" + admin).status()).isEqualTo(200);
    assertThat(send(HttpMethod.GET, "/api/target-groups", null, "Host", "[::1]:" + admin).status()).isEqualTo(200);
    assertThat(send(HttpMethod.GET, "/api/target-groups", null, "Host", "LB.internal.example").status())
        .isEqualTo(200);
    Http.Resp r = send(HttpMethod.POST, "/api/target-groups/web/targets", TARGET, "Content-Type",
        "application/json; charset=utf-8", "Origin", "http://127.0.0.1:" + admin, "Sec-Fetch-Site", "same-origin");
    assertThat(r.status()).isEqualTo(200);
    assertThat(registered("evil")).isTrue();
  }

  @Test
  void aBodilessPostNeedsNoContentTypeButStillASameOrigin() {
    Http.Resp r = send(HttpMethod.POST, "/api/lab/instances/i-0/stop-web-server", null,
        "Origin", "null");
    assertThat(r.status()).isEqualTo(403);
    Http.Resp same = send(HttpMethod.POST, "/api/lab/instances/i-0/stop-web-server", null);
    assertThat(same.status()).isEqualTo(409); // no lab in a gateway: past the cross-site checks
  }

  @Test
  void aRequestWithoutAHostHeaderIsRefused() throws Exception {
    try (java.net.Socket socket = new java.net.Socket("127.0.0.1", admin)) {
      socket.setSoTimeout(10_000);
      socket.getOutputStream().write("GET /api HTTP/1.0\r\n\r\n".getBytes(java.nio.charset.StandardCharsets.US_ASCII));
      String answer = new String(socket.getInputStream().readAllBytes(), java.nio.charset.StandardCharsets.UTF_8);
      assertThat(answer).startsWith("HTTP/1.0 403").contains("\"HostNotAllowed\"").contains("Host (none)");
    }
  }

  @Test
  void anHttp2PriorKnowledgeConnectionIsNotSpokenTo() throws Exception {
    // h2c requests carry :authority, not Host, and may send a body without a length: the admin API speaks HTTP/1.1
    try (java.net.Socket socket = new java.net.Socket("127.0.0.1", admin)) {
      socket.setSoTimeout(10_000);
      socket.getOutputStream().write("PRI * HTTP/2.0\r\n\r\nSM\r\n\r\n".getBytes(
          java.nio.charset.StandardCharsets.US_ASCII));
      socket.shutdownOutput();
      String answer = new String(socket.getInputStream().readAllBytes(), java.nio.charset.StandardCharsets.ISO_8859_1);
      // an HTTP/2 server answers the preface with a SETTINGS frame (9-byte header, type 4); this one does not
      assertThat(answer.length() >= 4 && answer.charAt(3) == 4).as("answer %s", answer).isFalse();
      assertThat(answer).satisfiesAnyOf(a -> assertThat(a).isEmpty(), a -> assertThat(a).startsWith("HTTP/2.0 501"));
    }
  }

  @Test
  void theHostNameIsTheHeaderWithoutItsPort() {
    assertThat(AdminGuards.hostName("")).isNull();
    assertThat(AdminGuards.hostName("[::1]:9901")).isEqualTo("::1");
    assertThat(AdminGuards.hostName("example.com:80")).isEqualTo("example.com");
    assertThat(AdminGuards.hostName("example.com")).isEqualTo("example.com");
  }
}
