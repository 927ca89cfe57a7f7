package dev.loadstar.gateway.admin;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.loadstar.gateway.GatewayRuntime;
import dev.loadstar.gateway.config.GatewayConfig;
import dev.loadstar.gateway.support.Http;
import io.vertx.core.Vertx;
import io.vertx.core.http.HttpMethod;
import io.vertx.core.json.JsonObject;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.net.SocketTimeoutException;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/** The admin API's defences: secrets, reads behind the token, idle connections, malformed paths, 500s, big bodies. */
@Timeout(60)
class AdminSecurityTest {

  private static final String TOKEN = "admin-token-for-tests";
  private static final String CONFIG = """
      admin: {host: 127.0.0.1, port: 0, token: admin-token-for-tests}
      listeners:
        - name: web
          host: 127.0.0.1
          port: 0
          defaultActions: [{type: forward, targetGroupName: api}]
      targetGroups:
        - name: api
          targets: [{id: api-1, host: 127.0.0.1, port: 1}]
          healthCheck: {enabled: false}
      scalingGroups:
        - name: workers
          launchTemplate:
            provider: process
            parameters:
              command: "java -version"
              env.DB_PASSWORD: hunter2
              db_password: hunter3
              api_key: k-123
              readyTimeoutMs: "5000"
          minSize: 0
          desiredCapacity: 0
          maxSize: 1
      """;

  private Vertx vertx;
  private GatewayRuntime runtime;
  private Http http;
  private int admin;

  @BeforeEach
  void start() {
    vertx = Vertx.vertx();
    runtime = GatewayRuntime.create(vertx, GatewayConfig.parse(CONFIG, "security.yaml", false, Map.<String, String>of()::get));
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

  private Http.Resp get(String uri, String... headers) {
    return http.get(admin, uri, Http.headers(headers));
  }

  @Test
  void withATokenSetReadsOfStateNeedItToo() {
    for (String uri : List.of("/api/scaling-groups", "/api/scaling-groups/workers", "/api/target-groups",
        "/api/target-groups/api/health", "/api/listeners", "/api/stats", "/api/events", "/metrics")) {
      Http.Resp none = get(uri);
      assertThat(none.status()).as(uri).isEqualTo(401);
      assertThat(none.json().getString("error")).isEqualTo("Unauthorized");
      assertThat(none.headers().get("WWW-Authenticate")).startsWith("Bearer");
      assertThat(get(uri, "Authorization", "Bearer wrong").status()).as(uri).isEqualTo(403);
    }
    assertThat(get("/api/scaling-groups", "Authorization", "Bearer " + TOKEN).status()).isEqualTo(200);
    // the index and the dashboard's files hold no state: the page loads, then asks for the token
    JsonObject index = get("/api").json();
    assertThat(index.getBoolean("TokenRequiredForReads")).isTrue();
    assertThat(get("/").status()).isEqualTo(200);
  }

  @Test
  void aDashboardSessionCookieAllowsReadsButNotChanges() {
    assertThat(http.send(HttpMethod.POST, admin, "/api/session", null, null).status()).isEqualTo(401);
    Http.Resp session = http.send(HttpMethod.POST, admin, "/api/session", Http.headers("Authorization",
        "Bearer " + TOKEN), null);
    assertThat(session.status()).isEqualTo(204);
    String setCookie = session.headers().get("Set-Cookie");
    assertThat(setCookie).containsIgnoringCase("HttpOnly").contains("SameSite=Strict").doesNotContain(TOKEN);
    String cookie = setCookie.split(";", 2)[0];

    assertThat(get("/api/scaling-groups", "Cookie", cookie).status()).isEqualTo(200);
    assertThat(get("/api/scaling-groups", "Cookie", cookie.replaceAll("=.*", "=forged")).status()).isEqualTo(401);
    Http.Resp change = http.send(HttpMethod.PUT, admin, "/api/scaling-groups/workers/desired-capacity",
        Http.headers("Cookie", cookie, "content-type", "application/json"), "{\"desiredCapacity\": 1}");
    assertThat(change.status()).isEqualTo(401);
  }

  @Test
  void launchTemplateSecretsReadAsStarsEverywhere() {
    String[] auth = {"Authorization", "Bearer " + TOKEN};
    for (String uri : List.of("/api/scaling-groups", "/api/scaling-groups/workers", "/api/stats")) {
      Http.Resp r = get(uri, auth);
      assertThat(r.status()).isEqualTo(200);
      assertThat(r.body()).as(uri).doesNotContain("hunter2").doesNotContain("hunter3").doesNotContain("k-123");
    }
    JsonObject params = get("/api/scaling-groups/workers", auth).json().getJsonObject("LaunchTemplate")
        .getJsonObject("Parameters");
    assertThat(params.getString("env.DB_PASSWORD")).isEqualTo("***");
    assertThat(params.getString("db_password")).isEqualTo("***");
    assertThat(params.getString("api_key")).isEqualTo("***");
    assertThat(params.getString("command")).isEqualTo("java -version");
    assertThat(params.getString("readyTimeoutMs")).isEqualTo("5000");
  }

  @Test
  void aMalformedEscapeInThePathIs400WithoutExceptionText() {
    Http.Resp r = get("/api/target-groups/%zz", "Authorization", "Bearer " + TOKEN);
    assertThat(r.status()).isEqualTo(400);
    assertThat(r.json().getString("error")).isEqualTo("BadRequest");
    assertThat(r.body()).doesNotContain("Exception").doesNotContain("%zz\"");
  }

  @Test
  void aChunkedBodyOver64KiBIs413WhileItIsStillStreaming() throws IOException {
    try (Socket s = new Socket()) {
      s.connect(new InetSocketAddress("127.0.0.1", admin), 5_000);
      s.setSoTimeout(20_000);
      OutputStream out = s.getOutputStream();
      out.write(("POST /api/target-groups/api/targets HTTP/1.1\r\nHost: 127.0.0.1\r\nAuthorization: Bearer " + TOKEN
          + "\r\nContent-Type: application/json\r\nTransfer-Encoding: chunked\r\n\r\n")
          .getBytes(StandardCharsets.US_ASCII));
      byte[] chunk = "x".repeat(8 * 1024).getBytes(StandardCharsets.US_ASCII);
      for (int i = 0; i < 10; i++) { // 80 KiB, and the body never ends: only a limit enforced while streaming answers
        out.write((Integer.toHexString(chunk.length) + "\r\n").getBytes(StandardCharsets.US_ASCII));
        out.write(chunk);
        out.write("\r\n".getBytes(StandardCharsets.US_ASCII));
      }
      out.flush();
      String head = readHead(s.getInputStream());
      assertThat(head).startsWith("HTTP/1.1 413");
    }
    assertThat(runtime.targetGroups().get("api").targets()).hasSize(1);
  }

  private static String readHead(InputStream in) throws IOException {
    ByteArrayOutputStream buf = new ByteArrayOutputStream();
    try {
      int c;
      while ((c = in.read()) >= 0) {
        buf.write(c);
        if (buf.toString(StandardCharsets.US_ASCII).endsWith("\r\n\r\n")) {
          break;
        }
      }
    } catch (SocketTimeoutException e) {
      // no answer while the body streams: the head is empty
    }
    return buf.toString(StandardCharsets.US_ASCII);
  }

  @Test
  void anIdleConnectionIsClosedByTheServer() throws IOException {
    AdminServer s = AdminServer.builder(vertx, new EmptyAdminModel()).port(0).heartbeatMillis(100)
        .idleTimeout(Duration.ofMillis(500)).build();
    s.start().await();
    try (Socket socket = new Socket()) {
      socket.connect(new InetSocketAddress("127.0.0.1", s.actualPort()), 5_000);
      socket.setSoTimeout(20_000);
      // sends nothing: the server closes the connection (read sees end of stream) instead of holding it forever
      assertThat(socket.getInputStream().read()).isEqualTo(-1);
    } finally {
      s.close().await();
    }
  }

  @Test
  void a500CarriesNoExceptionText() {
    AdminServer s = AdminServer.builder(vertx, new EmptyAdminModel() {
      @Override
      public List<ListenerInfo> listeners() {
        throw new IllegalStateException("connection to db://admin:hunter2@10.0.0.1 failed");
      }
    }).port(0).build();
    s.start().await();
    try {
      Http.Resp r = http.get(s.actualPort(), "/api/listeners");
      assertThat(r.status()).isEqualTo(500);
      assertThat(r.json().getString("error")).isEqualTo("InternalError");
      assertThat(r.body()).doesNotContain("hunter2").doesNotContain("IllegalState").doesNotContain("db://");
    } finally {
      s.close().await();
    }
  }

  @Test
  void theEventStreamStaysOpenPastTheIdleTimeoutThanksToItsHeartbeat() {
    AdminServer s = AdminServer.builder(vertx, new EmptyAdminModel()).port(0).heartbeatMillis(100)
        .idleTimeout(Duration.ofMillis(500)).build();
    s.start().await();
    var sse = vertx.createHttpClient();
    try {
      StringBuffer text = new StringBuffer();
      sse.request(HttpMethod.GET, s.actualPort(), "127.0.0.1", "/api/events")
          .compose(r -> r.send().map(x -> x.handler(b -> text.append(b)).exceptionHandler(e -> { }))).await();
      await().atMost(Duration.ofSeconds(15)).until(() -> text.toString().split(":", -1).length > 12);
      assertThat(s.eventSubscribers()).isEqualTo(1);
    } finally {
      sse.close().await();
      s.close().await();
    }
  }
}
