package dev.loadstar.routing.gateway;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

import dev.loadstar.routing.Action;
import dev.loadstar.routing.HttpListener;
import dev.loadstar.routing.ListenerConfig;
import dev.loadstar.routing.RuleSet;
import dev.loadstar.routing.TlsConfig;
import dev.loadstar.routing.TlsConfig.MutualAuthenticationMode;
import io.vertx.core.http.HttpClient;
import io.vertx.core.http.HttpClientOptions;
import io.vertx.core.http.HttpMethod;
import io.vertx.core.http.HttpServer;
import io.vertx.core.http.HttpVersion;
import io.vertx.core.http.RequestOptions;
import io.vertx.core.json.JsonObject;
import io.vertx.core.net.PemKeyCertOptions;
import java.io.IOException;
import java.net.URLDecoder;
import java.nio.charset.StandardCharsets;
import java.security.cert.X509Certificate;
import java.time.Duration;
import java.time.Instant;
import java.util.HexFormat;
import java.util.List;
import java.util.Locale;
import javax.net.ssl.SSLSocket;
import javax.security.auth.x500.X500Principal;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/** Mutual TLS as ALB: verify refuses untrusted and expired client certificates, passthrough forwards the chain. */
class MutualTlsTest {

  private final GatewayFixture f = new GatewayFixture();
  private final TestPki pki = new TestPki();
  private final TestPki.Issued serverCert = pki.selfSigned("gateway.example.test");
  private final TestPki.Issued ca = pki.ca("Trusted CA");
  private final TestPki.Issued otherCa = pki.ca("Other CA");

  @AfterEach
  void tearDown() {
    f.close();
    pki.close();
  }

  private HttpListener listener(TlsConfig.Builder tls) {
    f.group("web", f.headerEchoBackend());
    return f.start(RuleSet.of(Action.forward("web")), ListenerConfig.builder()
        .tls(tls.certificate(serverCert.cert(), serverCert.key()).build()).eventLoops(1));
  }

  /** A request through the listener with a client certificate (or none), a forged mTLS header included. */
  private JsonObject send(TestPki.Issued client, HttpVersion version) {
    HttpClientOptions o = new HttpClientOptions().setSsl(true).setTrustAll(true).setVerifyHost(false)
        .setUseAlpn(true).setProtocolVersion(version);
    if (client != null) {
      o.setKeyCertOptions(new PemKeyCertOptions().setCertPath(client.cert()).setKeyPath(client.key()));
    }
    HttpClient c = f.vertx.createHttpClient(o);
    try {
      GatewayFixture.Resp r = GatewayFixture.exchange(c, new RequestOptions().setMethod(HttpMethod.GET)
          .setHost("127.0.0.1").setPort(f.listener.actualPort()).setURI("/")
          .putHeader("X-Amzn-Mtls-Clientcert-Subject", "CN=forged")
          .putHeader("x-amzn-mtls-clientcert", "forged")
          .putHeader("X-Amzn-Mtls-Something-Else", "forged"), r2 -> r2.send()).await();
      assertThat(r.status()).isEqualTo(200);
      assertThat(r.version()).isEqualTo(version);
      return new JsonObject(r.body());
    } finally {
      c.close().await();
    }
  }

  private static void refused(int port, TestPki.Issued client) {
    // with TLS 1.3 the client may finish its side of the handshake before the server refuses its certificate: the
    // refusal then arrives on the first read
    assertThatThrownBy(() -> {
      try (SSLSocket s = TlsClients.connect(port, null, null, client)) {
        TlsClients.get(s, "x", "/");
      }
    }).isInstanceOf(IOException.class);
  }

  private static String decode(String header) {
    return URLDecoder.decode(header.replace("+", "%2B"), StandardCharsets.UTF_8);
  }

  @Test
  void verifyForwardsTheTrustedLeafsDetailsAndDropsForgedHeaders() {
    TestPki.Issued client = pki.issue(ca, "client-1");
    listener(TlsConfig.builder().mutualAuthentication(MutualAuthenticationMode.VERIFY).trustStorePath(ca.cert()));

    for (HttpVersion version : List.of(HttpVersion.HTTP_1_1, HttpVersion.HTTP_2)) {
      JsonObject seen = send(client, version);
      X509Certificate leaf = client.certificate();
      byte[] serial = leaf.getSerialNumber().toByteArray();
      int first = serial[0] == 0 ? 1 : 0; // the sign byte
      assertThat(seen.getString("x-amzn-mtls-clientcert-serial-number"))
          .isEqualTo(HexFormat.of().withUpperCase().formatHex(serial, first, serial.length));
      assertThat(seen.getString("x-amzn-mtls-clientcert-subject")).isEqualTo("O=Loadstar Test,CN=client-1");
      assertThat(seen.getString("x-amzn-mtls-clientcert-issuer"))
          .isEqualTo(ca.certificate().getSubjectX500Principal().getName(X500Principal.RFC2253));
      assertThat(seen.getString("x-amzn-mtls-clientcert-validity")).isEqualTo("NotBefore="
          + leaf.getNotBefore().toInstant() + ";NotAfter=" + leaf.getNotAfter().toInstant());
      String encodedLeaf = seen.getString("x-amzn-mtls-clientcert-leaf");
      assertThat(encodedLeaf).doesNotContain("\n", " ").contains("-----BEGIN%20CERTIFICATE-----%0A");
      assertThat(decode(encodedLeaf)).isEqualTo(TestPki.pem(List.of(leaf)));
      assertThat(seen.containsKey("x-amzn-mtls-clientcert")).as("the chain is passthrough's header").isFalse();
      assertThat(seen.containsKey("x-amzn-mtls-something-else")).isFalse();
    }
  }

  @Test
  void verifyRefusesUntrustedExpiredAndMissingCertificatesAtTheHandshake() {
    TestPki.Issued trusted = pki.issue(ca, "client-ok");
    TestPki.Issued untrusted = pki.issue(otherCa, "client-untrusted");
    TestPki.Issued expired = pki.issue(ca, "client-expired", Instant.now().minus(Duration.ofDays(10)),
        Instant.now().minus(Duration.ofDays(1)));
    HttpListener l = listener(TlsConfig.builder().mutualAuthentication(MutualAuthenticationMode.VERIFY)
        .trustStorePath(ca.cert()));
    int port = l.actualPort();

    refused(port, untrusted);
    refused(port, expired);
    refused(port, null);
    await().atMost(Duration.ofSeconds(10)).until(() -> l.stats().clientTlsNegotiationErrors() == 3);
    assertThat(l.stats().requests()).as("no refused client reached the rules").isZero();

    assertThat(send(trusted, HttpVersion.HTTP_1_1).getString("x-amzn-mtls-clientcert-subject"))
        .isEqualTo("O=Loadstar Test,CN=client-ok");
    assertThat(l.stats().clientTlsNegotiationErrors()).isEqualTo(3);
  }

  @Test
  void passthroughForwardsWhateverChainTheClientPresentsAndNothingWithoutOne() {
    TestPki.Issued untrusted = pki.issue(otherCa, "client-any");
    TestPki.Issued expired = pki.issue(ca, "client-old", Instant.now().minus(Duration.ofDays(10)),
        Instant.now().minus(Duration.ofDays(1)));
    listener(TlsConfig.builder().mutualAuthentication(MutualAuthenticationMode.PASSTHROUGH));

    JsonObject seen = send(untrusted, HttpVersion.HTTP_2);
    assertThat(decode(seen.getString("x-amzn-mtls-clientcert"))).isEqualTo(TestPki.pem(untrusted.chain()));
    assertThat(seen.fieldNames()).filteredOn(n -> n.startsWith("x-amzn-mtls-"))
        .containsExactly("x-amzn-mtls-clientcert");

    assertThat(decode(send(expired, HttpVersion.HTTP_1_1).getString("x-amzn-mtls-clientcert")))
        .as("passthrough does not verify").isEqualTo(TestPki.pem(expired.chain()));

    assertThat(send(null, HttpVersion.HTTP_1_1).fieldNames()).as("no certificate, no header, forged ones removed")
        .noneMatch(n -> n.startsWith("x-amzn-mtls-"));
  }

  @Test
  void listenersWithoutMutualAuthenticationRemoveClientSuppliedMtlsHeaders() {
    TestPki.Issued client = pki.issue(ca, "client-1");
    listener(TlsConfig.builder());
    assertThat(send(client, HttpVersion.HTTP_1_1).fieldNames()).noneMatch(n -> n.startsWith("x-amzn-mtls-"));

    GatewayFixture plain = new GatewayFixture();
    try {
      HttpServer echo = plain.vertx.createHttpServer().requestHandler(req -> req.response()
          .end(String.valueOf(req.headers().names().stream().anyMatch(n -> n.toLowerCase(Locale.ROOT)
              .startsWith("x-amzn-mtls-"))))).listen(0, "127.0.0.1").await();
      plain.group("echo", echo.actualPort());
      plain.start(RuleSet.of(Action.forward("echo")), ListenerConfig.builder().eventLoops(1));
      assertThat(plain.get("/", GatewayFixture.headers("X-Amzn-Mtls-Clientcert", "forged",
          "X-Amzn-Mtls-Clientcert-Subject", "CN=forged")).body()).isEqualTo("false");
    } finally {
      plain.close();
    }
  }
}
