package dev.loadstar.gateway.config;

import static org.assertj.core.api.Assertions.assertThat;

import dev.loadstar.core.TargetGroupConfig.ProtocolVersion;
import dev.loadstar.healthcheck.HealthCheck;
import dev.loadstar.routing.DesyncMitigationMode;
import dev.loadstar.routing.ListenerConfig;
import dev.loadstar.routing.SecurityPolicy;
import dev.loadstar.routing.TlsConfig;
import dev.loadstar.routing.TlsConfig.MutualAuthenticationMode;
import io.vertx.core.net.SelfSignedCertificate;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * HTTPS and TLS listeners (certificates, security policy, mutual authentication), the listener's desync, invalid
 * header and connection settings, and a target group's protocol version, from the file: applied when valid, refused
 * with their position, value and what was expected otherwise. Certificates are made at test time.
 */
class TlsAndEdgeConfigTest {

  private static SelfSignedCertificate a;
  private static SelfSignedCertificate b;
  private static Map<String, String> env;

  @BeforeAll
  static void certificates() {
    a = SelfSignedCertificate.create("a.example.test");
    b = SelfSignedCertificate.create("b.example.test");
    env = Map.of("A_CERT", a.certificatePath(), "A_KEY", a.privateKeyPath(), "B_CERT", b.certificatePath(),
        "B_KEY", b.privateKeyPath(), "MISSING", "/nonexistent/loadstar/ca.pem");
  }

  @AfterAll
  static void deleteCertificates() {
    a.delete();
    b.delete();
  }

  private static GatewayConfig.Result validate(String yaml) {
    return GatewayConfig.validate(yaml, "gw.yaml", false, env::get);
  }

  private static List<String> errors(String yaml) {
    return validate(yaml).errors().stream().map(ConfigError::toString).toList();
  }

  /** One listener (its protocol and extra fields given) forwarding to group web; a TCP or TLS one to the same. */
  private static String listener(String protocol, String fields) {
    return """
        listeners:
          - name: edge
            protocol: %s
            port: 8443
        %s
            defaultActions: [{type: forward, targetGroupName: web}]
        targetGroups:
          - name: web
        """.formatted(protocol, fields.indent(4).stripTrailing());
  }

  private static final String TWO_CERTIFICATES = """
      certificates:
        - {certificatePath: "${env:A_CERT}", privateKeyPath: "${env:A_KEY}"}
        - {certificatePath: "${env:B_CERT}", privateKeyPath: "${env:B_KEY}"}""";

  @Test
  void anHttpsListenerTakesItsCertificatesInOrderThePolicyAndMutualAuthentication() {
    GatewayConfig.Result r = validate(listener("HTTPS", TWO_CERTIFICATES + """

        sslPolicy: ELBSecurityPolicy-TLS13-1-3-2021-06
        mutualAuthentication: {mode: verify, trustStorePath: "${env:B_CERT}"}"""));
    assertThat(r.errors()).isEmpty();
    ListenerSpec spec = r.config().listeners().get(0);
    TlsConfig tls = spec.httpConfig().tls();
    assertThat(tls.certificates()).extracting(TlsConfig.Certificate::certificatePath, TlsConfig.Certificate::privateKeyPath)
        .containsExactly(org.assertj.core.groups.Tuple.tuple(a.certificatePath(), a.privateKeyPath()),
            org.assertj.core.groups.Tuple.tuple(b.certificatePath(), b.privateKeyPath()));
    assertThat(tls.securityPolicy()).isEqualTo(SecurityPolicy.TLS13_1_3_2021_06);
    assertThat(tls.mutualAuthenticationMode()).isEqualTo(MutualAuthenticationMode.VERIFY);
    assertThat(tls.trustStorePath()).isEqualTo(b.certificatePath());
    assertThat(spec.protocol()).isEqualTo(ListenerSpec.Protocol.HTTP);
    assertThat(spec.albProtocol()).isEqualTo("HTTPS");
    assertThat(spec.tcpTls()).isNull();
  }

  @Test
  void anHttpsListenerDefaultsToAlbsPolicyAndNoClientCertificatesAndOffMayBeUnquoted() {
    GatewayConfig.Result r = validate(listener("HTTPS", """
        certificates: [{certificatePath: "${env:A_CERT}", privateKeyPath: "${env:A_KEY}"}]"""));
    assertThat(r.errors()).isEmpty();
    TlsConfig tls = r.config().listeners().get(0).httpConfig().tls();
    assertThat(tls.securityPolicy()).isEqualTo(SecurityPolicy.DEFAULT);
    assertThat(tls.mutualAuthenticationMode()).isEqualTo(MutualAuthenticationMode.OFF);

    GatewayConfig.Result off = validate(listener("HTTPS", """
        certificates: [{certificatePath: "${env:A_CERT}", privateKeyPath: "${env:A_KEY}"}]
        mutualAuthentication: {mode: off}"""));
    assertThat(off.errors()).isEmpty();
    assertThat(off.config().listeners().get(0).httpConfig().tls().mutualAuthenticationMode())
        .isEqualTo(MutualAuthenticationMode.OFF);
    GatewayConfig.Result passthrough = validate(listener("HTTPS", """
        certificates: [{certificatePath: "${env:A_CERT}", privateKeyPath: "${env:A_KEY}"}]
        mutualAuthentication: {mode: passthrough}"""));
    assertThat(passthrough.config().listeners().get(0).httpConfig().tls().mutualAuthenticationMode())
        .isEqualTo(MutualAuthenticationMode.PASSTHROUGH);
  }

  @Test
  void aTlsListenerTerminatesTlsInFrontOfItsTargetGroup() {
    GatewayConfig.Result r = validate(listener("TLS", TWO_CERTIFICATES + """

        mutualAuthentication: {mode: verify, trustStorePath: "${env:A_CERT}"}"""));
    assertThat(r.errors()).isEmpty();
    ListenerSpec spec = r.config().listeners().get(0);
    assertThat(spec.protocol()).isEqualTo(ListenerSpec.Protocol.TCP);
    assertThat(spec.albProtocol()).isEqualTo("TLS");
    assertThat(spec.tcpTargetGroup()).isEqualTo("web");
    assertThat(spec.tcpTls().certificates()).hasSize(2);
    assertThat(spec.tcpTls().mutualAuthenticationMode()).isEqualTo(MutualAuthenticationMode.VERIFY);
    assertThat(validate(listener("TCP", "")).config().listeners().get(0).albProtocol()).isEqualTo("TCP");
  }

  @Test
  void anUnreadableOrWrongFileIsReportedAtItsFieldWithTheValueAsWritten() {
    assertThat(errors(listener("HTTPS", """
        certificates:
          - {certificatePath: /nonexistent/loadstar/a.pem, privateKeyPath: "${env:A_KEY}"}
          - {certificatePath: "${env:B_CERT}", privateKeyPath: "${env:B_CERT}"}""")))
        .containsExactly(
            "gw.yaml:6:27: listeners[0].certificates[0].certificatePath: \"/nonexistent/loadstar/a.pem\" (expected: "
                + "a readable PEM file of X.509 certificates)",
            "gw.yaml:7:60: listeners[0].certificates[1].privateKeyPath: \"${env:B_CERT}\" (expected: a readable PEM "
                + "file with a private key)");
    assertThat(errors(listener("HTTPS", """
        certificates: [{certificatePath: "${env:A_CERT}", privateKeyPath: "${env:A_KEY}"}]
        mutualAuthentication: {mode: verify, trustStorePath: "${env:MISSING}"}""")))
        .containsExactly("gw.yaml:6:58: listeners[0].mutualAuthentication.trustStorePath: \"${env:MISSING}\" "
            + "(expected: a readable PEM file of X.509 certificates)");
  }

  @Test
  void certificatesAreRequiredOnHttpsAndTlsAndRefusedOnHttpAndTcp() {
    assertThat(errors(listener("HTTPS", ""))).containsExactly("gw.yaml:2:5: listeners[0].certificates: missing "
        + "(expected: a list of certificates, the first the default; each a certificate: {certificatePath, "
        + "privateKeyPath} (PEM files))");
    assertThat(errors(listener("TLS", "certificates: []"))).containsExactly("gw.yaml:5:19: listeners[0].certificates: "
        + "[] (expected: at least one certificate, the first the default; each a certificate: {certificatePath, "
        + "privateKeyPath} (PEM files))");
    assertThat(errors(listener("HTTPS", "certificates: [{certificatePath: \"${env:A_CERT}\", keyPath: x}]")))
        .containsExactly(
            "gw.yaml:5:20: listeners[0].certificates[0].privateKeyPath: missing (expected: a PEM file with the "
                + "certificate's private key)",
            "gw.yaml:5:55: listeners[0].certificates[0].keyPath: unknown field (expected: one of certificatePath, "
                + "privateKeyPath)");
    assertThat(errors(listener("HTTP", TWO_CERTIFICATES + "\nsslPolicy: ELBSecurityPolicy-TLS13-1-3-2021-06")))
        .containsExactly(
            "gw.yaml:6:7: listeners[0].certificates: a list (expected: no certificates on an HTTP listener: only "
                + "HTTPS and TLS listeners terminate TLS)",
            "gw.yaml:8:16: listeners[0].sslPolicy: \"ELBSecurityPolicy-TLS13-1-3-2021-06\" (expected: no sslPolicy "
                + "on an HTTP listener: only HTTPS and TLS listeners terminate TLS)");
    assertThat(errors(listener("TCP", "mutualAuthentication: {mode: verify}"))).containsExactly("gw.yaml:5:27: "
        + "listeners[0].mutualAuthentication: an object (expected: no mutualAuthentication on a TCP listener: only "
        + "HTTPS and TLS listeners terminate TLS)");
  }

  @Test
  void policyAndModeMustBeAlbsNamesAndVerifyNeedsATrustStore() {
    String cert = "certificates: [{certificatePath: \"${env:A_CERT}\", privateKeyPath: \"${env:A_KEY}\"}]\n";
    assertThat(errors(listener("HTTPS", cert + "sslPolicy: ELBSecurityPolicy-TLS13-1-2-2021-6"))).containsExactly(
        "gw.yaml:6:16: listeners[0].sslPolicy: \"ELBSecurityPolicy-TLS13-1-2-2021-6\" (expected: one of "
            + "ELBSecurityPolicy-TLS13-1-2-2021-06, ELBSecurityPolicy-TLS13-1-2-Res-2021-06, "
            + "ELBSecurityPolicy-TLS13-1-3-2021-06, ELBSecurityPolicy-FS-1-2-Res-2020-10; did you mean "
            + "\"ELBSecurityPolicy-TLS13-1-2-2021-06\"?)");
    assertThat(errors(listener("HTTPS", cert + "mutualAuthentication: {mode: verify}"))).containsExactly(
        "gw.yaml:6:27: listeners[0].mutualAuthentication.trustStorePath: missing (expected: a PEM bundle of CA "
            + "certificates client certificates must chain to, with mode verify)");
    assertThat(errors(listener("HTTPS", cert + "mutualAuthentication: {mode: verfy, trustStorePath: ca.pem}")))
        .containsExactly("gw.yaml:6:34: listeners[0].mutualAuthentication.mode: \"verfy\" (expected: one of off, "
            + "passthrough, verify; did you mean \"verify\"?)");
    assertThat(errors(listener("HTTPS", cert + "mutualAuthentication: {mode: passthrough, trustStorePath: ca.pem}")))
        .containsExactly("gw.yaml:6:63: listeners[0].mutualAuthentication.trustStorePath: \"ca.pem\" (expected: no "
            + "trust store with mode passthrough: only verify uses one)");
    assertThat(errors(listener("TLS", cert + "mutualAuthentication: {mode: passthrough}"))).containsExactly(
        "gw.yaml:6:34: listeners[0].mutualAuthentication.mode: \"passthrough\" (expected: off or verify on a TLS "
            + "listener: passthrough forwards the certificate in HTTP headers)");
  }

  @Test
  void desyncModeInvalidHeaderFieldsAndTheConnectionLimitAreApplied() {
    GatewayConfig.Result r = validate(listener("HTTP", """
        maxConnections: 500
        attributes:
          routing.http.desync_mitigation_mode: strictest
          routing.http.drop_invalid_header_fields.enabled: "true\""""));
    assertThat(r.errors()).isEmpty();
    ListenerConfig c = r.config().listeners().get(0).httpConfig();
    assertThat(c.desyncMitigationMode()).isEqualTo(DesyncMitigationMode.STRICTEST);
    assertThat(c.dropInvalidHeaderFields()).isTrue();
    assertThat(c.maxConnections()).isEqualTo(500);

    ListenerConfig defaults = validate(listener("HTTP", "")).config().listeners().get(0).httpConfig();
    assertThat(defaults.desyncMitigationMode()).isEqualTo(DesyncMitigationMode.DEFENSIVE);
    assertThat(defaults.dropInvalidHeaderFields()).isFalse();
    assertThat(defaults.maxConnections()).isEqualTo(ListenerConfig.DEFAULT_MAX_CONNECTIONS);
    assertThat(validate(listener("HTTP", "maxConnections: 0")).config().listeners().get(0).httpConfig()
        .maxConnections()).as("0: no limit").isZero();
    assertThat(validate(listener("TCP", "maxConnections: 7")).config().listeners().get(0).tcpMaxConnections())
        .isEqualTo(7);
    assertThat(validate(listener("TCP", "")).config().listeners().get(0).tcpMaxConnections())
        .isEqualTo(ListenerConfig.DEFAULT_MAX_CONNECTIONS);
  }

  @Test
  void badDesyncModeInvalidHeaderFieldsAndConnectionLimitAreReported() {
    assertThat(errors(listener("HTTP", """
        maxConnections: 20000000
        attributes:
          routing.http.desync_mitigation_mode: strictst
          routing.http.drop_invalid_header_fields.enabled: "yes\""""))).containsExactly(
        "gw.yaml:5:21: listeners[0].maxConnections: 20000000 (expected: 0-10000000)",
        "gw.yaml:7:44: listeners[0].attributes.routing.http.desync_mitigation_mode: \"strictst\" (expected: one of "
            + "monitor, defensive, strictest; did you mean \"strictest\"?)",
        "gw.yaml:8:56: listeners[0].attributes.routing.http.drop_invalid_header_fields.enabled: \"yes\" (expected: "
            + "true or false)");
    assertThat(errors(listener("HTTP", "maxConnections: -1"))).containsExactly(
        "gw.yaml:5:21: listeners[0].maxConnections: -1 (expected: 0-10000000)");
    assertThat(errors(listener("TCP", "attributes: {routing.http.desync_mitigation_mode: monitor}")))
        .singleElement().asString().startsWith("gw.yaml:5:18: listeners[0].attributes.routing.http."
            + "desync_mitigation_mode: unknown field (expected: one of tcp.idle_timeout.seconds");
    assertThat(errors(listener("TCP", "maxConnections: -1"))).containsExactly(
        "gw.yaml:5:21: listeners[0].maxConnections: -1 (expected: 0-10000000)");
  }

  @Test
  void aGrpcGroupUsesHttp2AndIsCheckedWithGrpcUnlessToldOtherwise() {
    GatewayConfig.Result r = validate(listener("HTTP", "") + """
          - name: greeter
            protocolVersion: GRPC
          - name: checked
            protocolVersion: GRPC
            healthCheck: {path: /grpc.health.v1.Health/Check, matcher: {grpcCode: "0"}}
          - name: h2
            protocol: HTTPS
            protocolVersion: HTTP2
        """);
    assertThat(r.errors()).isEmpty();
    TargetGroupSpec web = r.config().targetGroups().get(0);
    TargetGroupSpec greeter = r.config().targetGroups().get(1);
    TargetGroupSpec checked = r.config().targetGroups().get(2);
    TargetGroupSpec h2 = r.config().targetGroups().get(3);
    assertThat(web.config().protocolVersion()).as("ALB's default").isEqualTo(ProtocolVersion.HTTP1);
    assertThat(greeter.config().protocolVersion()).isEqualTo(ProtocolVersion.GRPC);
    assertThat(greeter.healthCheck().protocol()).isEqualTo(HealthCheck.Protocol.GRPC);
    assertThat(greeter.healthCheck().path()).isEqualTo(HealthCheck.DEFAULT_GRPC_PATH);
    assertThat(greeter.healthCheck().grpcCode()).isEqualTo("12");
    assertThat(checked.healthCheck().protocol()).isEqualTo(HealthCheck.Protocol.GRPC);
    assertThat(checked.healthCheck().grpcCode()).isEqualTo("0");
    assertThat(h2.config().protocolVersion()).isEqualTo(ProtocolVersion.HTTP2);
    assertThat(h2.healthCheck().protocol()).isEqualTo(HealthCheck.Protocol.HTTP);
  }

  @Test
  void aBadProtocolVersionAndFunctionOrBalancerTargetsInAGrpcGroupAreReported() {
    assertThat(errors(listener("HTTP", "") + """
          - name: greeter
            protocolVersion: HTTP3
          - name: fn
            protocolVersion: GRPC
            targets:
              - {id: ok, host: 127.0.0.1, port: 9000}
              - {id: f, function: echo}
        """)).containsExactly(
        "gw.yaml:10:22: targetGroups[1].protocolVersion: \"HTTP3\" (expected: one of HTTP1, HTTP2, GRPC; did you "
            + "mean \"HTTP1\"?)",
        "gw.yaml:15:9: targetGroups[2].targets[1]: a lambda target (expected: instance or ip targets in a group "
            + "with protocolVersion GRPC)");
  }
}
