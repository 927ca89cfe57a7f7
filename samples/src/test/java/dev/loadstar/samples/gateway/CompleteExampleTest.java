package dev.loadstar.samples.gateway;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.loadstar.core.RegisteredTarget;
import dev.loadstar.core.TargetGroup;
import dev.loadstar.core.TargetHealth;
import dev.loadstar.gateway.config.GatewayConfig;
import dev.loadstar.gateway.GatewayRuntime;
import dev.loadstar.gateway.support.Http;
import dev.loadstar.gateway.support.Prometheus;
import dev.loadstar.scaling.Instance;
import dev.loadstar.scaling.ScalingGroup;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.HttpClientOptions;
import io.vertx.core.http.HttpServer;
import io.vertx.core.http.HttpVersion;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import io.vertx.core.net.NetSocket;
import io.vertx.core.net.PemTrustOptions;
import io.vertx.core.net.SelfSignedCertificate;
import io.vertx.core.net.SocketAddress;
import io.vertx.grpc.client.GrpcClient;
import io.vertx.grpc.common.GrpcMessageDecoder;
import io.vertx.grpc.common.GrpcMessageEncoder;
import io.vertx.grpc.common.GrpcStatus;
import io.vertx.grpc.common.ServiceMethod;
import io.vertx.grpc.common.ServiceName;
import io.vertx.grpc.server.GrpcServer;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.GeneralSecurityException;
import java.security.KeyStore;
import java.security.cert.CertificateFactory;
import java.security.cert.X509Certificate;
import java.time.Duration;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import javax.net.ssl.SNIHostName;
import javax.net.ssl.SSLContext;
import javax.net.ssl.SSLParameters;
import javax.net.ssl.SSLSocket;
import javax.net.ssl.TrustManagerFactory;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.Timeout;

/**
 * The shipped example {@code examples/complete.yaml}, loaded as a user would (its {@code ${env:...}} ports point at
 * backends on 127.0.0.1 bound to port 0, its certificate files at self-signed certificates made for the test),
 * served by a {@link GatewayRuntime} and exercised through every rule, the HTTPS listener (SNI, a gRPC group), the
 * TCP listeners, the admin API and the metrics.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
@Timeout(60)
class CompleteExampleTest {

  private static final Duration WAIT = Duration.ofSeconds(20);
  private static final ServiceName GREETER = ServiceName.create("loadstar.example.Greeter");

  private SelfSignedCertificate www;
  private SelfSignedCertificate images;
  private GrpcClient grpc;

  private Vertx vertx;
  private GatewayRuntime runtime;
  private Http http;
  private int web;
  private int admin;

  private int backend(String id) {
    HttpServer s = vertx.createHttpServer().requestHandler(req -> req.body().onSuccess(b -> {
      if (req.path().equals("/health")) {
        req.response().end("ok");
      } else {
        String proto = req.getHeader("x-forwarded-proto");
        req.response().putHeader("x-backend", id).putHeader("x-seen-proto", proto == null ? "-" : proto)
            .end(id + " " + req.path());
      }
    })).listen(0, "127.0.0.1").await();
    return s.actualPort();
  }

  /**
   * A gRPC server on 127.0.0.1 (HTTP/2 in cleartext): {@code Hello} answers {@code hello <name>} with an
   * {@code x-served-by} trailer, {@code Find} answers NOT_FOUND with a message; any other method (the health check's
   * {@code /AWS.ALB/healthcheck}) is UNIMPLEMENTED.
   */
  private int greeter() {
    GrpcServer server = GrpcServer.server(vertx);
    server.callHandler(ServiceMethod.server(GREETER, "Hello", GrpcMessageEncoder.IDENTITY,
        GrpcMessageDecoder.IDENTITY), call -> call.last().onSuccess(name -> {
          call.response().trailers().set("x-served-by", "greeter-1");
          call.response().end(Buffer.buffer("hello " + name));
        }));
    server.callHandler(ServiceMethod.server(GREETER, "Find", GrpcMessageEncoder.IDENTITY,
        GrpcMessageDecoder.IDENTITY), call -> call.last().onSuccess(name -> call.response()
            .status(GrpcStatus.NOT_FOUND).statusMessage("no such greeting: " + name).end()));
    return vertx.createHttpServer().requestHandler(server).listen(0, "127.0.0.1").await().actualPort();
  }

  @BeforeAll
  void start() {
    vertx = Vertx.vertx();
    www = SelfSignedCertificate.create("www.example.com");
    images = SelfSignedCertificate.create("images.example.com");
    Map<String, String> env = new HashMap<>();
    env.put("WWW_CERT_FILE", www.certificatePath());
    env.put("WWW_KEY_FILE", www.privateKeyPath());
    env.put("IMAGES_CERT_FILE", images.certificatePath());
    env.put("IMAGES_KEY_FILE", images.privateKeyPath());
    env.put("HTTPS_PORT", "0");
    env.put("GREETER_PORT", Integer.toString(greeter()));
    env.put("WEB_PORT", "0");
    env.put("TCP_PORT", "0");
    env.put("WEB_TCP_PORT", "0");
    env.put("ADMIN_PORT", "0");
    env.put("LISTENER_HOST", "127.0.0.1");
    env.put("STICKINESS_SECRET", "c2VjcmV0LWZvci10aGUtY29tcGxldGUtZXhhbXBsZQ");
    env.put("API_1_PORT", Integer.toString(backend("api-1")));
    env.put("API_2_PORT", Integer.toString(backend("api-2")));
    env.put("IMAGES_PORT", Integer.toString(backend("images-1")));
    GatewayConfig config = GatewayConfig.load(Path.of("examples/complete.yaml"), env::get);
    runtime = GatewayRuntime.create(vertx, config);
    runtime.start().await();
    http = new Http(vertx);
    web = runtime.listenerPort("web");
    admin = runtime.admin().actualPort();
    await().atMost(WAIT).until(() -> healthy("api") == 2 && healthy("images") == 1 && healthy("web") == 2
        && healthy("local") == 2 && healthy("functions") == 1 && healthy("greeter") == 1);
  }

  private long healthy(String group) {
    return runtime.targetGroups().get(group).targets().stream()
        .filter(t -> t.health().state() == TargetHealth.State.HEALTHY).count();
  }

  @AfterAll
  void stop() {
    if (http != null) {
      http.close();
    }
    if (grpc != null) {
      grpc.close().await();
    }
    if (runtime != null) {
      runtime.close().await();
    }
    vertx.close().await();
    if (www != null) {
      www.delete();
    }
    if (images != null) {
      images.delete();
    }
  }

  @Test
  void pathRuleForwardsToBothApiTargets() {
    Set<String> seen = new HashSet<>();
    for (int i = 0; i < 10; i++) {
      Http.Resp r = http.get(web, "/api/orders");
      assertThat(r.status()).isEqualTo(200);
      assertThat(r.body()).endsWith(" /api/orders");
      seen.add(r.headers().get("x-backend"));
    }
    assertThat(seen).containsExactlyInAnyOrder("api-1", "api-2");
  }

  @Test
  void hostHeaderRuleForwardsToTheDiscoveredImagesTarget() {
    Http.Resp r = http.get(web, "/logo.png", Http.headers("Host", "img.example.com"));
    assertThat(r.status()).isEqualTo(200);
    assertThat(r.body()).isEqualTo("images-1 /logo.png");
  }

  @Test
  void canaryHeaderForwardsByWeightAndSetsTheGroupStickinessCookie() {
    Http.Resp r = http.get(web, "/anything", Http.headers("X-Canary", "always"));
    assertThat(r.status()).isEqualTo(200);
    assertThat(r.headers().get("x-backend")).startsWith("api-");
    assertThat(r.headers().getAll("set-cookie")).anyMatch(c -> c.startsWith("LSALBTG="));
    // the rule also requires GET or HEAD
    Http.Resp post = http.send(io.vertx.core.http.HttpMethod.POST, web, "/anything", Http.headers("X-Canary",
        "always"), "x");
    assertThat(post.body()).startsWith("<h1>i-");
  }

  @Test
  void legacyPathsRedirectPermanently() {
    Http.Resp r = http.get(web, "/old/a/b?x=1");
    assertThat(r.status()).isEqualTo(301);
    assertThat(r.headers().get("location")).isEqualTo("http://127.0.0.1:" + web + "/new/old/a/b?x=1");
  }

  @Test
  void queryStringRuleFromLoopbackGivesTheFixedResponse() {
    Http.Resp r = http.get(web, "/whatever?version=V1");
    assertThat(r.status()).isEqualTo(200);
    assertThat(r.headers().get("content-type")).isEqualTo("application/json");
    assertThat(r.json()).isEqualTo(new JsonObject().put("version", "v1"));
  }

  @Test
  void defaultActionReachesTheScalingGroupsInstancesAndTheStickyCookieHoldsOne() {
    ScalingGroup asg = runtime.scalingGroups().get("web-asg");
    List<String> ids = asg.instances().stream().map(Instance::id).toList();
    assertThat(ids).hasSize(2);
    Http.Resp first = http.get(web, "/");
    assertThat(first.status()).isEqualTo(200);
    String instance = first.body().replace("<h1>", "").replace("</h1>", "");
    assertThat(ids).contains(instance);
    String cookie = first.headers().getAll("set-cookie").stream().filter(c -> c.startsWith("LSALB="))
        .findFirst().orElseThrow().split(";")[0];
    for (int i = 0; i < 6; i++) {
      Http.Resp again = http.get(web, "/", Http.headers("Cookie", cookie));
      assertThat(again.body()).isEqualTo("<h1>" + instance + "</h1>");
    }
  }

  @Test
  void tcpListenerForwardsWholeConnectionsToTheApiGroup() {
    int tcp = runtime.listenerPort("api-tcp");
    NetSocket socket = vertx.createNetClient().connect(tcp, "127.0.0.1").await();
    Buffer received = Buffer.buffer();
    io.vertx.core.Promise<Void> closed = io.vertx.core.Promise.promise();
    socket.handler(received::appendBuffer);
    socket.closeHandler(v -> closed.tryComplete());
    socket.write("GET /over-tcp HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n");
    closed.future().await();
    assertThat(received.toString()).startsWith("HTTP/1.1 200 OK").containsPattern("api-[12] /over-tcp");
  }

  @Test
  void adminApiDescribesTheExample() {
    JsonArray rules = http.get(admin, "/api/listeners/web/rules").json().getJsonArray("Rules");
    assertThat(rules.stream().map(r -> ((JsonObject) r).getString("Priority")).toList())
        .containsExactly("10", "20", "30", "40", "50", "60", "70", "default");
    assertThat(rules.getJsonObject(0).getJsonArray("Conditions").getJsonObject(0))
        .isEqualTo(new JsonObject().put("Field", "path-pattern").put("Values", new JsonArray().add("/api/*")));
    assertThat(rules.getJsonObject(7).getJsonArray("Actions").getJsonObject(0))
        .isEqualTo(new JsonObject().put("Type", "forward").put("TargetGroupName", "web"));

    JsonObject api = http.get(admin, "/api/target-groups/api").json();
    assertThat(api.getJsonObject("Attributes").getString("load_balancing.algorithm.type"))
        .isEqualTo("least_outstanding_requests");
    assertThat(api.getJsonObject("Attributes").getString("deregistration_delay.timeout_seconds")).isEqualTo("30");
    assertThat(api.getJsonObject("HealthCheck").getString("HealthCheckPath")).isEqualTo("/health");
    assertThat(api.getInteger("HealthyHostCount")).isEqualTo(2);

    JsonArray health = http.get(admin, "/api/target-groups/api/health").json()
        .getJsonArray("TargetHealthDescriptions");
    assertThat(health.stream().map(h -> ((JsonObject) h).getJsonObject("TargetHealth").getString("State")).toList())
        .containsExactly("healthy", "healthy");

    JsonObject images = http.get(admin, "/api/target-groups/images").json();
    assertThat(images.getJsonObject("Attributes").getString("load_balancing.algorithm.anomaly_mitigation"))
        .isEqualTo("on");

    JsonObject asg = http.get(admin, "/api/scaling-groups/web-asg").json();
    assertThat(asg.getInteger("DesiredCapacity")).isEqualTo(2);
    assertThat(asg.getString("HealthCheckType")).isEqualTo("ELB");
    assertThat(asg.getJsonArray("Instances")).hasSize(2);
    JsonArray activities = http.get(admin, "/api/scaling-groups/web-asg/activities").json()
        .getJsonArray("Activities");
    assertThat(activities.stream().map(a -> ((JsonObject) a).getString("StatusCode")).toList())
        .containsExactly("Successful", "Successful");
  }

  @Test
  void metricsCountTheTrafficUnderCloudWatchNames() {
    // earlier tests' requests to the api group have ended (and been counted) before the first reading
    await().atMost(WAIT).until(() -> runtime.targetGroups().get("api").targets().stream()
        .allMatch(t -> t.inFlight() == 0));
    String before = http.get(admin, "/metrics").body();
    for (int i = 0; i < 6; i++) {
      assertThat(http.get(web, "/api/m").status()).isEqualTo(200);
    }
    // a count is recorded when the listener ends the exchange, which may follow the client's response: wait for it
    // (other tests' traffic to the api group runs one after another, never during this one)
    await().atMost(WAIT).untilAsserted(() -> {
      String after = http.get(admin, "/metrics").body();
      // api-1 and api-2 have zones, so their series carry availability_zone (CloudWatch's AvailabilityZone)
      double perTarget = delta(before, after, "RequestCountPerTarget_total{availability_zone=\"zone-a\","
          + "target=\"api-1\",target_group=\"api\"}")
          + delta(before, after, "RequestCountPerTarget_total{availability_zone=\"zone-b\",target=\"api-2\","
          + "target_group=\"api\"}");
      assertThat(perTarget).isEqualTo(6);
      assertThat(delta(before, after, "HTTPCode_Target_2XX_Count_total{target_group=\"api\"}")).isEqualTo(6);
      assertThat(delta(before, after, "RequestCount_total{listener=\"web\"}")).isEqualTo(6);
      assertThat(delta(before, after, "TargetResponseTime_seconds_count{availability_zone=\"zone-a\","
          + "target=\"api-1\",target_group=\"api\"}")
          + delta(before, after, "TargetResponseTime_seconds_count{availability_zone=\"zone-b\",target=\"api-2\","
          + "target_group=\"api\"}"))
          .isEqualTo(6);
    });
    String after = http.get(admin, "/metrics").body();
    assertThat(Prometheus.value(after, "HealthyHostCount{target_group=\"api\"}")).hasValue(2);
    assertThat(Prometheus.value(after, "UnHealthyHostCount{target_group=\"api\"}")).hasValue(0);
    assertThat(Prometheus.value(after, "GroupDesiredCapacity{auto_scaling_group=\"web-asg\"}")).hasValue(2);
    assertThat(Prometheus.value(after, "GroupInServiceInstances{auto_scaling_group=\"web-asg\"}")).hasValue(2);
    assertThat(Prometheus.value(after, "HTTPCode_ELB_5XX_Count_total{listener=\"web\"}")).hasValue(0);
    assertThat(Prometheus.value(after, "ActiveConnectionCount{listener=\"api-tcp\"}")).hasValue(0);
  }

  private static double delta(String before, String after, String series) {
    assertThat(Prometheus.value(after, series)).as(series).isPresent();
    return Prometheus.valueOrZero(after, series) - Prometheus.valueOrZero(before, series);
  }

  @Test
  void lambdaTargetsAnswerInProcessInTurn() {
    Set<String> bodies = new HashSet<>();
    for (int i = 0; i < 4; i++) {
      Http.Resp r = http.get(web, "/fn/x?y=1");
      assertThat(r.status()).isEqualTo(200);
      bodies.add(r.body());
    }
    assertThat(bodies).containsExactlyInAnyOrder("hello from loadstar", "GET /fn/x?y=1");
    Http.Resp echoed = http.send(io.vertx.core.http.HttpMethod.POST, web, "/fn/echo", Http.headers("Content-Type",
        "application/json"), "{\"a\":1}");
    assertThat(echoed.status()).isEqualTo(200);
    assertThat(echoed.body()).isIn("{\"a\":1}", "hello from loadstar");
  }

  @Test
  void withCrossZoneOffTheGatewaysZoneKeepsRequestsInZoneA() {
    for (int i = 0; i < 6; i++) {
      Http.Resp r = http.get(web, "/local/x");
      assertThat(r.status()).isEqualTo(200);
      assertThat(r.headers().get("x-backend")).as("local-a is api-1's server, in zone-a").isEqualTo("api-1");
    }
  }

  @Test
  void theTcpListenerReachesTheWebListenerThroughItsAlbTarget() {
    int port = runtime.listenerPort("web-tcp");
    Http.Resp r = http.get(port, "/api/nested");
    assertThat(r.status()).isEqualTo(200);
    assertThat(r.body()).matches("api-[12] /api/nested");
    assertThat(http.get(port, "/old/a").headers().get("location")).as("the web listener's rules apply")
        .isEqualTo("http://127.0.0.1:" + port + "/new/old/a");
  }

  @Test
  void describeShowsTargetTypesZonesAndTheScalingGroupsSpread() {
    JsonObject functions = http.get(admin, "/api/target-groups/functions/health").json();
    Map<String, JsonObject> rows = new HashMap<>();
    functions.getJsonArray("TargetHealthDescriptions").forEach(o -> rows.put(((JsonObject) o)
        .getJsonObject("Target").getString("Id"), (JsonObject) o));
    assertThat(rows.get("hello-fn").getString("TargetType")).isEqualTo("lambda");
    assertThat(rows.get("hello-fn").getJsonObject("TargetHealth").getString("State")).isEqualTo("healthy");
    assertThat(rows.get("echo-fn").getJsonObject("TargetHealth").getString("State")).isEqualTo("unavailable");
    JsonObject viaWeb = http.get(admin, "/api/target-groups/via-web/health").json()
        .getJsonArray("TargetHealthDescriptions").getJsonObject(0);
    assertThat(viaWeb.getString("TargetType")).isEqualTo("alb");
    assertThat(viaWeb.getJsonObject("Target").getInteger("Port")).isEqualTo(web);
    JsonObject local = http.get(admin, "/api/target-groups/local/health").json();
    assertThat(local.getJsonArray("TargetHealthDescriptions").getJsonObject(0).getString("TargetType"))
        .isEqualTo("ip");
    assertThat(local.getJsonArray("AvailabilityZones").stream().map(z -> ((JsonObject) z).getString("ZoneName")
        + ":" + ((JsonObject) z).getInteger("HealthyHostCount")).toList()).containsExactly("zone-a:1", "zone-b:1");
    ScalingGroup asg = runtime.scalingGroups().get("web-asg");
    assertThat(asg.instances().stream().map(Instance::zone).sorted().toList()).containsExactly("zone-a", "zone-b");
    assertThat(http.get(admin, "/metrics").body()).contains(
        "HealthyHostCount{availability_zone=\"zone-a\",target_group=\"local\"} 1.0");
  }

  @Test
  void everyTargetGroupOfTheExampleIsServing() {
    Map<String, TargetGroup> groups = runtime.targetGroups();
    assertThat(groups).containsOnlyKeys("web", "api", "images", "functions", "local", "via-web", "greeter");
    for (TargetGroup g : groups.values()) {
      assertThat(g.targets()).allMatch(RegisteredTarget::isActive);
      assertThat(g.isFailingOpen()).isFalse();
    }
  }

  @Test
  void theHttpsListenerPicksTheCertificateBySniAndRoutesByHost() throws Exception {
    int port = runtime.listenerPort("secure");
    try (SSLSocket s = tls(port, "www.example.com")) {
      assertThat(commonName(s)).isEqualTo("www.example.com");
      String response = get(s, "www.example.com", "/api/secure");
      assertThat(response).startsWith("HTTP/1.1 200 ").containsPattern("(?i)x-seen-proto: https\r\n")
          .containsPattern("\r\n\r\napi-[12] /api/secure$");
    }
    try (SSLSocket s = tls(port, "images.example.com")) {
      assertThat(commonName(s)).isEqualTo("images.example.com");
      String response = get(s, "images.example.com", "/logo.png");
      assertThat(response).startsWith("HTTP/1.1 200 ").containsPattern("(?i)x-seen-proto: https\r\n")
          .endsWith("\r\n\r\nimages-1 /logo.png");
    }
    try (SSLSocket s = tls(port, null)) {
      assertThat(commonName(s)).as("no SNI: the default (first) certificate").isEqualTo("www.example.com");
    }
    JsonObject secure = http.get(admin, "/api/listeners/secure").json();
    assertThat(secure.getString("Protocol")).isEqualTo("HTTPS");
    assertThat(secure.getInteger("Port")).isEqualTo(port);
  }

  @Test
  void aGrpcCallThroughTheHttpsListenerReachesTheGrpcGroupWithItsStatusAndTrailers() {
    SocketAddress secure = SocketAddress.inetSocketAddress(runtime.listenerPort("secure"), "127.0.0.1");
    grpc = GrpcClient.client(vertx, new HttpClientOptions().setProtocolVersion(HttpVersion.HTTP_2).setSsl(true)
        .setUseAlpn(true).setVerifyHost(false).setTrustOptions(new PemTrustOptions()
            .addCertPath(www.certificatePath())));
    ServiceMethod<Buffer, Buffer> hello = ServiceMethod.client(GREETER, "Hello", GrpcMessageEncoder.IDENTITY,
        GrpcMessageDecoder.IDENTITY);
    List<String> got = new java.util.ArrayList<>();
    String trailer = grpc.request(secure, hello).compose(req -> req.send(Buffer.buffer("loadstar")).compose(resp -> {
      resp.handler(m -> got.add(m.toString()));
      return resp.end().map(v -> resp.status() + " " + resp.trailers().get("x-served-by"));
    })).timeout(WAIT.toSeconds(), TimeUnit.SECONDS).await();
    assertThat(trailer).isEqualTo(GrpcStatus.OK + " greeter-1");
    assertThat(got).containsExactly("hello loadstar");

    ServiceMethod<Buffer, Buffer> find = ServiceMethod.client(GREETER, "Find", GrpcMessageEncoder.IDENTITY,
        GrpcMessageDecoder.IDENTITY);
    String failed = grpc.request(secure, find).compose(req -> req.send(Buffer.buffer("bye")).compose(resp ->
        resp.end().transform(v -> Future.succeededFuture(resp.status() + ": " + resp.statusMessage()))))
        .timeout(WAIT.toSeconds(), TimeUnit.SECONDS).await();
    assertThat(failed).as("the target's status and message reach the client").isEqualTo(GrpcStatus.NOT_FOUND
        + ": no such greeting: bye");
    JsonObject greeter = http.get(admin, "/api/target-groups/greeter").json();
    assertThat(greeter.getJsonObject("HealthCheck").getString("HealthCheckProtocol")).isEqualTo("GRPC");
  }

  /** A TLS connection to 127.0.0.1 with this SNI name (none when null), trusting only the example's certificates. */
  private SSLSocket tls(int port, String sni) throws IOException, GeneralSecurityException {
    KeyStore trusted = KeyStore.getInstance("PKCS12");
    trusted.load(null, null);
    CertificateFactory x509 = CertificateFactory.getInstance("X.509");
    for (SelfSignedCertificate c : List.of(www, images)) {
      try (InputStream in = Files.newInputStream(Path.of(c.certificatePath()))) {
        trusted.setCertificateEntry(c.certificatePath(), x509.generateCertificate(in));
      }
    }
    TrustManagerFactory tmf = TrustManagerFactory.getInstance(TrustManagerFactory.getDefaultAlgorithm());
    tmf.init(trusted);
    SSLContext ctx = SSLContext.getInstance("TLS");
    ctx.init(null, tmf.getTrustManagers(), null);
    SSLSocket s = (SSLSocket) ctx.getSocketFactory().createSocket("127.0.0.1", port);
    s.setSoTimeout((int) WAIT.toMillis());
    SSLParameters p = s.getSSLParameters();
    p.setServerNames(sni == null ? List.of() : List.of(new SNIHostName(sni)));
    s.setSSLParameters(p);
    s.startHandshake();
    return s;
  }

  private static String commonName(SSLSocket s) throws IOException {
    X509Certificate leaf = (X509Certificate) s.getSession().getPeerCertificates()[0];
    return leaf.getSubjectX500Principal().getName().replaceFirst("^.*CN=([^,]+).*$", "$1");
  }

  /** Sends {@code GET path} with {@code Connection: close} and reads the whole response. */
  private static String get(SSLSocket s, String host, String path) throws IOException {
    s.getOutputStream().write(("GET " + path + " HTTP/1.1\r\nHost: " + host + "\r\nConnection: close\r\n\r\n")
        .getBytes(StandardCharsets.US_ASCII));
    s.getOutputStream().flush();
    return new String(s.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
  }
}
