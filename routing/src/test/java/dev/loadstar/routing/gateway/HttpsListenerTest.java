package dev.loadstar.routing.gateway;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

import dev.loadstar.routing.Action;
import dev.loadstar.routing.HttpListener;
import dev.loadstar.routing.ListenerConfig;
import dev.loadstar.routing.RuleSet;
import dev.loadstar.routing.SecurityPolicy;
import dev.loadstar.routing.TlsConfig;
import io.vertx.core.http.HttpClient;
import io.vertx.core.http.HttpClientOptions;
import io.vertx.core.http.HttpMethod;
import io.vertx.core.http.HttpVersion;
import io.vertx.core.http.RequestOptions;
import io.vertx.core.json.JsonObject;
import java.io.IOException;
import java.io.OutputStream;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import javax.net.ssl.SSLSocket;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/** HTTPS listeners with real handshakes on 127.0.0.1: SNI, ALPN, security policies, redirects, counting, reloads. */
class HttpsListenerTest {

  private final GatewayFixture f = new GatewayFixture();
  private final TestPki pki = new TestPki();
  private HttpListener plain;

  @AfterEach
  void tearDown() {
    if (plain != null) {
      plain.close().await();
    }
    f.close();
    pki.close();
  }

  private HttpListener https(TlsConfig tls) {
    f.group("web", f.headerEchoBackend());
    return f.start(RuleSet.of(Action.forward("web")), ListenerConfig.builder().tls(tls).eventLoops(2));
  }

  private HttpClient httpsClient(HttpVersion version) {
    return f.vertx.createHttpClient(new HttpClientOptions().setSsl(true).setTrustAll(true).setVerifyHost(false)
        .setUseAlpn(true).setProtocolVersion(version));
  }

  private GatewayFixture.Resp get(HttpClient client, int port, String uri) {
    return GatewayFixture.exchange(client, new RequestOptions().setHost("127.0.0.1").setPort(port).setURI(uri)
        .setMethod(HttpMethod.GET), r -> r.send()).await();
  }

  @Test
  void sniChoosesTheCertificateNamingTheHostAndTheFirstIsTheDefault() throws IOException {
    TestPki.Issued a = pki.selfSigned("a.example.test");
    TestPki.Issued b = pki.selfSigned("b.example.test", "*.b.example.test");
    HttpListener l = https(TlsConfig.builder().certificate(a.cert(), a.key()).certificate(b.cert(), b.key()).build());
    int port = l.actualPort();

    try (SSLSocket s = TlsClients.connect(port, "b.example.test", null, null)) {
      assertThat(TlsClients.serverName(s)).isEqualTo("b.example.test");
      assertThat(TlsClients.get(s, "b.example.test", "/")).startsWith("200 ");
    }
    try (SSLSocket s = TlsClients.connect(port, "api.b.example.test", null, null)) {
      assertThat(TlsClients.serverName(s)).as("wildcard name").isEqualTo("b.example.test");
    }
    try (SSLSocket s = TlsClients.connect(port, "a.example.test", null, null)) {
      assertThat(TlsClients.serverName(s)).isEqualTo("a.example.test");
    }
    try (SSLSocket s = TlsClients.connect(port, "unknown.example.test", null, null)) {
      assertThat(TlsClients.serverName(s)).as("no certificate names the host: the default").isEqualTo("a.example.test");
    }
    try (SSLSocket s = TlsClients.connect(port, null, null, null)) {
      assertThat(TlsClients.serverName(s)).as("no SNI: the default").isEqualTo("a.example.test");
    }
  }

  @Test
  void alpnNegotiatesH2WithAnH2ClientAndTargetsSeeHttpsForwardingHeaders() {
    TestPki.Issued a = pki.selfSigned("a.example.test");
    HttpListener l = https(TlsConfig.builder().certificate(a.cert(), a.key()).build());
    int port = l.actualPort();

    GatewayFixture.Resp h2 = get(httpsClient(HttpVersion.HTTP_2), port, "/x");
    assertThat(h2.version()).isEqualTo(HttpVersion.HTTP_2);
    assertThat(h2.status()).isEqualTo(200);
    JsonObject seen = new JsonObject(h2.body());
    assertThat(seen.getString("x-forwarded-proto")).isEqualTo("https");
    assertThat(seen.getString("x-forwarded-port")).isEqualTo(Integer.toString(port));

    GatewayFixture.Resp h1 = get(httpsClient(HttpVersion.HTTP_1_1), port, "/x");
    assertThat(h1.version()).isEqualTo(HttpVersion.HTTP_1_1);
    assertThat(new JsonObject(h1.body()).getString("x-forwarded-proto")).isEqualTo("https");
  }

  @Test
  void anHttpListenerRedirectsToTheHttpsListenerAndTheRedirectIsFollowed() {
    TestPki.Issued a = pki.selfSigned("a.example.test");
    HttpListener l = https(TlsConfig.builder().certificate(a.cert(), a.key()).build());
    int httpsPort = l.actualPort();
    // ALB's classic rule: HTTP -> HTTPS, host, path and query kept (here on the HTTPS listener's port)
    plain = HttpListener.builder(f.vertx)
        .config(ListenerConfig.builder().host("127.0.0.1").port(0).eventLoops(1).build())
        .rules(RuleSet.of(Action.redirect(301).withProtocol("HTTPS").withPort(Integer.toString(httpsPort))))
        .targetGroups(f.groups::get).build();
    plain.start().await();

    GatewayFixture.Resp r = GatewayFixture.exchange(f.client, new RequestOptions().setHost("127.0.0.1")
        .setPort(plain.actualPort()).setURI("/shop/cart?item=7").putHeader("host", "127.0.0.1"), x -> x.send())
        .await();
    assertThat(r.status()).isEqualTo(301);
    String location = r.headers().get("location");
    assertThat(location).isEqualTo("https://127.0.0.1:" + httpsPort + "/shop/cart?item=7");

    GatewayFixture.Resp followed = GatewayFixture.exchange(httpsClient(HttpVersion.HTTP_1_1),
        new RequestOptions().setAbsoluteURI(location), x -> x.send()).await();
    assertThat(followed.status()).isEqualTo(200);
    assertThat(new JsonObject(followed.body()).getString("x-forwarded-proto")).isEqualTo("https");
  }

  @Test
  void theSecurityPolicyDecidesTheTlsVersionsAndCipherSuites() throws IOException {
    TestPki.Issued a = pki.selfSigned("a.example.test");
    HttpListener tls13 = https(TlsConfig.builder().certificate(a.cert(), a.key())
        .securityPolicy("ELBSecurityPolicy-TLS13-1-3-2021-06").build());
    assertThatThrownBy(() -> TlsClients.connect(tls13.actualPort(), null, List.of("TLSv1.2"), null).close())
        .isInstanceOf(IOException.class);
    try (SSLSocket s = TlsClients.connect(tls13.actualPort(), null, List.of("TLSv1.3", "TLSv1.2"), null)) {
      assertThat(s.getSession().getProtocol()).isEqualTo("TLSv1.3");
    }
    await().atMost(Duration.ofSeconds(10)).until(() -> tls13.stats().clientTlsNegotiationErrors() == 1);
    tls13.close().await();

    f.listener = f.start(RuleSet.of(Action.forward("web")), ListenerConfig.builder()
        .tls(TlsConfig.builder().certificate(a.cert(), a.key()).securityPolicy(SecurityPolicy.FS_1_2_RES_2020_10)
            .build()));
    int fs = f.listener.actualPort();
    assertThatThrownBy(() -> TlsClients.connect(fs, null, List.of("TLSv1.3"), null).close())
        .isInstanceOf(IOException.class);
    try (SSLSocket s = TlsClients.connect(fs, null, List.of("TLSv1.3", "TLSv1.2"), null)) {
      assertThat(s.getSession().getProtocol()).isEqualTo("TLSv1.2");
      assertThat(SecurityPolicy.FS_1_2_RES_2020_10.cipherSuites()).contains(s.getSession().getCipherSuite());
    }
  }

  @Test
  void failedHandshakesAreCountedAndDoNotDisturbOtherConnections() throws IOException {
    TestPki.Issued a = pki.selfSigned("a.example.test");
    HttpListener l = https(TlsConfig.builder().certificate(a.cert(), a.key())
        .securityPolicy(SecurityPolicy.TLS13_1_3_2021_06).build());
    int port = l.actualPort();
    try (SSLSocket open = TlsClients.connect(port, null, null, null)) {
      assertThat(TlsClients.get(open, "a.example.test", "/1")).startsWith("200 ");

      // plaintext on the TLS port, and a client that only speaks a version the policy refuses
      try (Socket raw = new Socket("127.0.0.1", port)) {
        OutputStream out = raw.getOutputStream();
        out.write("GET / HTTP/1.1\r\nHost: x\r\n\r\n".getBytes(StandardCharsets.US_ASCII));
        out.flush();
        raw.setSoTimeout(10_000);
        assertThat(raw.getInputStream().read()).as("the listener closes the plaintext connection").isNotEqualTo('H');
      }
      assertThatThrownBy(() -> TlsClients.connect(port, null, List.of("TLSv1.2"), null).close())
          .isInstanceOf(IOException.class);
      await().atMost(Duration.ofSeconds(10)).until(() -> l.stats().clientTlsNegotiationErrors() == 2);

      assertThat(TlsClients.get(open, "a.example.test", "/2")).as("the open connection still serves")
          .startsWith("200 ");
    }
    assertThat(l.stats().clientTlsNegotiationErrors()).isEqualTo(2);
  }

  @Test
  void changedCertificateFilesReachNewHandshakesWhileOpenConnectionsKeepWorking() throws IOException {
    TestPki.Issued served = pki.selfSigned("old.example.test");
    TestPki.Issued next = pki.selfSigned("new.example.test");
    HttpListener l = https(TlsConfig.builder().certificate(served.cert(), served.key())
        .certificateReloadInterval(Duration.ofMillis(100)).build());
    int port = l.actualPort();
    try (SSLSocket before = TlsClients.connect(port, null, null, null)) {
      assertThat(TlsClients.serverName(before)).isEqualTo("old.example.test");
      assertThat(TlsClients.get(before, "x", "/before")).startsWith("200 ");

      pki.replace(served, next);

      await().atMost(Duration.ofSeconds(20)).pollInterval(Duration.ofMillis(50)).untilAsserted(() -> {
        try (SSLSocket s = TlsClients.connect(port, null, null, null)) {
          assertThat(TlsClients.serverName(s)).isEqualTo("new.example.test");
        }
      });
      // the connection made before the swap still works, with the certificate it was made with
      assertThat(TlsClients.get(before, "x", "/after")).startsWith("200 ");
      assertThat(TlsClients.serverName(before)).isEqualTo("old.example.test");
    }
    assertThat(l.stats().clientTlsNegotiationErrors()).isZero();
  }

  @Test
  void aKeyThatDoesNotBelongToItsCertificateIsNeverServed() {
    TestPki.Issued a = pki.selfSigned("a.example.test");
    TestPki.Issued b = pki.selfSigned("b.example.test");
    f.group("web", f.headerEchoBackend());
    HttpListener l = HttpListener.builder(f.vertx).config(ListenerConfig.builder().host("127.0.0.1").port(0)
        .tls(TlsConfig.builder().certificate(a.cert(), a.key()).certificate(b.cert(), a.key()).build()).build())
        .rules(RuleSet.of(Action.forward("web"))).targetGroups(f.groups::get).build();
    assertThatThrownBy(() -> l.start().await())
        .hasMessage("certificates[1]: the private key does not belong to the certificate");
    l.close().await();
  }

  @Test
  void settingsAreValidatedWithTheFieldAndTheExpectedValue() throws IOException {
    TestPki.Issued a = pki.selfSigned("a.example.test");
    assertThatThrownBy(() -> TlsConfig.builder().build())
        .hasMessage("certificates: [] (expected: at least one certificate and private key (PEM files))");
    assertThatThrownBy(() -> TlsConfig.builder().certificate("/nonexistent.pem", a.key()).build())
        .hasMessage("certificates[0].certificatePath: \"/nonexistent.pem\" (expected: a readable PEM file of X.509"
            + " certificates)");
    assertThatThrownBy(() -> TlsConfig.builder().certificate(a.cert(), a.key()).certificate(a.cert(), a.cert()).build())
        .hasMessage("certificates[1].privateKeyPath: \"" + a.cert() + "\" (expected: a readable PEM file with a private"
            + " key)");
    assertThatThrownBy(() -> TlsConfig.builder().certificate(a.key(), a.key()).build())
        .hasMessageStartingWith("certificates[0].certificatePath: ");
    assertThatThrownBy(() -> TlsConfig.builder().securityPolicy("ELBSecurityPolicy-2016-08"))
        .hasMessage("securityPolicy: \"ELBSecurityPolicy-2016-08\" (expected: one of"
            + " ELBSecurityPolicy-TLS13-1-2-2021-06, ELBSecurityPolicy-TLS13-1-2-Res-2021-06,"
            + " ELBSecurityPolicy-TLS13-1-3-2021-06, ELBSecurityPolicy-FS-1-2-Res-2020-10)");
    assertThatThrownBy(() -> TlsConfig.builder().certificate(a.cert(), a.key())
        .mutualAuthentication(TlsConfig.MutualAuthenticationMode.VERIFY).build())
        .hasMessage("mutualAuthentication.trustStorePath: null (expected: a PEM bundle of CA certificates with mode"
            + " verify)");
    assertThatThrownBy(() -> TlsConfig.builder().certificate(a.cert(), a.key()).trustStorePath(a.cert()).build())
        .hasMessage("mutualAuthentication.trustStorePath: \"" + a.cert() + "\" (expected: null with mode off (a trust"
            + " store is used by verify only))");
    assertThatThrownBy(() -> TlsConfig.MutualAuthenticationMode.fromName("strict"))
        .hasMessage("mutualAuthentication.mode: \"strict\" (expected: one of off, passthrough, verify)");
    assertThatThrownBy(() -> TlsConfig.builder().certificate(a.cert(), a.key())
        .certificateReloadInterval(Duration.ofMillis(10)).build())
        .hasMessage("certificateReloadInterval: PT0.01S (expected: >= 100 ms)");
    TlsConfig ok = TlsConfig.builder().certificate(a.cert(), a.key()).build();
    assertThat(ok.securityPolicy().albName()).isEqualTo("ELBSecurityPolicy-TLS13-1-2-2021-06");
    ListenerConfig listener = ListenerConfig.builder().port(443).tls(ok).build();
    assertThat(Map.of("protocol", listener.protocol(), "name", listener.name()))
        .isEqualTo(Map.of("protocol", "HTTPS", "name", "https-443"));
  }
}
