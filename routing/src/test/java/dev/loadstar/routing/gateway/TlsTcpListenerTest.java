package dev.loadstar.routing.gateway;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

import dev.loadstar.core.TargetGroup;
import dev.loadstar.routing.SecurityPolicy;
import dev.loadstar.routing.TcpListener;
import dev.loadstar.routing.TlsConfig;
import io.vertx.core.net.NetServer;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.atomic.AtomicInteger;
import javax.net.ssl.SSLSocket;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/** NLB's TLS listener: TLS terminated with SNI and a security policy, the plaintext stream piped to targets. */
class TlsTcpListenerTest {

  private final GatewayFixture f = new GatewayFixture();
  private final TestPki pki = new TestPki();
  private final AtomicInteger backendConnections = new AtomicInteger();
  private TcpListener tcp;

  @AfterEach
  void tearDown() {
    if (tcp != null) {
      tcp.close().await();
    }
    f.close();
    pki.close();
  }

  /** A plaintext backend: greets with its id and a newline, then echoes. */
  private int echoServer(String id) {
    NetServer s = f.vertx.createNetServer().connectHandler(sock -> {
      backendConnections.incrementAndGet();
      sock.write(id + "\n");
      sock.handler(sock::write);
    }).listen(0, "127.0.0.1").await();
    return s.actualPort();
  }

  private static String readLine(InputStream in) throws IOException {
    StringBuilder b = new StringBuilder();
    for (int c = in.read(); c >= 0 && c != '\n'; c = in.read()) {
      b.append((char) c);
    }
    return b.toString();
  }

  private TcpListener start(TlsConfig tls) {
    TargetGroup g = f.group("tcp", echoServer("t-a"));
    tcp = TcpListener.builder(f.vertx).host("127.0.0.1").port(0).targetGroup(g).tls(tls).build();
    tcp.start().await();
    return tcp;
  }

  @Test
  void tlsIsTerminatedWithTheSniCertificateAndThePlaintextStreamReachesTheTarget() throws IOException {
    TestPki.Issued a = pki.selfSigned("a.example.test");
    TestPki.Issued b = pki.selfSigned("b.example.test");
    TcpListener l = start(TlsConfig.builder().certificate(a.cert(), a.key()).certificate(b.cert(), b.key()).build());

    try (SSLSocket s = TlsClients.connect(l.actualPort(), "b.example.test", null, null)) {
      assertThat(TlsClients.serverName(s)).isEqualTo("b.example.test");
      InputStream in = s.getInputStream();
      assertThat(readLine(in)).as("the target's plaintext greeting, through TLS").isEqualTo("t-a");
      OutputStream out = s.getOutputStream();
      out.write("ping\n".getBytes(StandardCharsets.US_ASCII));
      out.flush();
      assertThat(readLine(in)).isEqualTo("ping");
    }
    try (SSLSocket s = TlsClients.connect(l.actualPort(), null, null, null)) {
      assertThat(TlsClients.serverName(s)).as("the default certificate").isEqualTo("a.example.test");
    }
    assertThat(l.clientTlsNegotiationErrors()).isZero();
  }

  @Test
  void failedHandshakesAreCountedAndNeverReachATarget() throws IOException {
    TestPki.Issued a = pki.selfSigned("a.example.test");
    TcpListener l = start(TlsConfig.builder().certificate(a.cert(), a.key())
        .securityPolicy(SecurityPolicy.TLS13_1_3_2021_06).build());

    assertThatThrownBy(() -> TlsClients.connect(l.actualPort(), null, List.of("TLSv1.2"), null).close())
        .isInstanceOf(IOException.class);
    try (Socket raw = new Socket("127.0.0.1", l.actualPort())) {
      raw.getOutputStream().write("plaintext\n".getBytes(StandardCharsets.US_ASCII));
      raw.setSoTimeout(10_000);
      assertThat(readLine(raw.getInputStream())).doesNotContain("t-a");
    }
    await().atMost(Duration.ofSeconds(10)).until(() -> l.clientTlsNegotiationErrors() == 2);
    assertThat(backendConnections.get()).isZero();

    try (SSLSocket s = TlsClients.connect(l.actualPort(), null, null, null)) {
      assertThat(s.getSession().getProtocol()).isEqualTo("TLSv1.3");
      assertThat(readLine(s.getInputStream())).isEqualTo("t-a");
    }
  }

  @Test
  void passthroughMutualAuthenticationIsRefusedOnATcpListener() {
    TestPki.Issued a = pki.selfSigned("a.example.test");
    TargetGroup g = f.group("tcp", echoServer("t-a"));
    TlsConfig passthrough = TlsConfig.builder().certificate(a.cert(), a.key())
        .mutualAuthentication(TlsConfig.MutualAuthenticationMode.PASSTHROUGH).build();
    assertThatThrownBy(() -> TcpListener.builder(f.vertx).targetGroup(g).tls(passthrough).build())
        .hasMessage("tls.mutualAuthentication.mode: passthrough (expected: off or verify on a TCP listener"
            + " (passthrough forwards the certificate in HTTP headers))");
    assertThat(TcpListener.builder(f.vertx).targetGroup(g).port(8443)
        .tls(TlsConfig.builder().certificate(a.cert(), a.key()).build()).build().balancerName()).isEqualTo("tls-8443");
  }
}
