package dev.loadstar.core;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.vertx.core.Vertx;
import io.vertx.core.http.HttpServer;
import io.vertx.core.http.HttpServerOptions;
import io.vertx.core.net.SelfSignedCertificate;
import io.vertx.ext.web.client.WebClientOptions;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/** The client reaches the targets of an HTTPS group over TLS: not validated by default (as ALB), validated on request. */
@Timeout(60)
class HttpsTargetsClientTest {

  private final Vertx vertx = Vertx.vertx();
  private final SelfSignedCertificate cert = SelfSignedCertificate.create("localhost");
  private LoadBalancedClient client;

  @AfterEach
  void close() {
    if (client != null) {
      client.close().await();
    }
    vertx.close().await();
    cert.delete();
  }

  private TargetGroup httpsGroup() {
    HttpServer s = vertx.createHttpServer(new HttpServerOptions().setSsl(true).setKeyCertOptions(cert.keyCertOptions()))
        .requestHandler(req -> req.response().end("tls " + req.isSSL()))
        .listen(0, "127.0.0.1").await();
    TargetGroup g = TargetGroup.create(vertx, TargetGroupConfig.builder("secure")
        .protocol(TargetGroupConfig.Protocol.HTTPS).build());
    g.register(Target.of("s1", "127.0.0.1", s.actualPort()));
    return g;
  }

  @Test
  void anHttpsGroupIsReachedOverTlsWithoutValidationByDefault() {
    client = LoadBalancedClient.create(vertx).addTargetGroup(httpsGroup());
    LoadBalancedResponse r = client.get("secure", "/").send().await();
    assertThat(r.statusCode()).isEqualTo(200);
    assertThat(r.bodyAsString()).isEqualTo("tls true");
  }

  @Test
  void validationRefusesAnUntrustedCertificateAndAcceptsATrustedOne() {
    TargetGroup g = httpsGroup();
    client = LoadBalancedClient.create(vertx, new LoadBalancedClientOptions().setVerifyTargetCertificates(true)
        .setWebClientOptions(new WebClientOptions().setVerifyHost(false))).addTargetGroup(g);
    assertThatThrownBy(() -> client.get("secure", "/").send().await())
        .isInstanceOf(LoadBalancerException.class)
        .satisfies(e -> assertThat(FailureKind.classify(e.getCause(), false)).isEqualTo(FailureKind.TLS_HANDSHAKE));
    client.close().await();
    client = LoadBalancedClient.create(vertx, new LoadBalancedClientOptions().setVerifyTargetCertificates(true)
        .setWebClientOptions(new WebClientOptions().setVerifyHost(false).setTrustOptions(cert.trustOptions())))
        .addTargetGroup(g);
    assertThat(client.get("secure", "/").send().await().bodyAsString()).isEqualTo("tls true");
  }
}
