package dev.loadstar.gateway.config;

import static org.assertj.core.api.Assertions.assertThat;

import dev.loadstar.core.HashKey;
import dev.loadstar.core.RetryPolicy;
import java.util.List;
import org.junit.jupiter.api.Test;

/** The listener's retry policy, Host preservation and target TLS, and a group's hash key, from the file. */
class RetryAndHashingConfigTest {

  private static GatewayConfig.Result validate(String yaml) {
    return GatewayConfig.validate(yaml, "gw.yaml", false, k -> null);
  }

  private static List<String> errors(String yaml) {
    return validate(yaml).errors().stream().map(ConfigError::toString).toList();
  }

  private static final String HTTP = """
      listeners:
        - name: web
          port: 8080
          %s
          defaultActions: [{type: forward, targetGroupName: web}]
      targetGroups:
        - name: web
          %s
      """;

  @Test
  void retryPolicyHostPreservationAndTargetTlsAreApplied() {
    GatewayConfig.Result r = validate(HTTP.formatted("""
        retry: {maxAttempts: 5, budgetRatio: 0.5, budgetMinPerSecond: 3}
            attributes: {routing.http.preserve_host_header.enabled: true}
            verifyTargetCertificates: true""", ""));
    assertThat(r.errors()).isEmpty();
    var config = r.config().listeners().get(0).httpConfig();
    assertThat(config.retryPolicy()).isEqualTo(RetryPolicy.builder().maxAttempts(5).budgetRatio(0.5)
        .budgetMinPerSecond(3).build());
    assertThat(config.preserveHostHeader()).isTrue();
    assertThat(config.verifyTargetCertificates()).isTrue();
  }

  @Test
  void theDefaultsAreAlbsAndTheDefaultRetryPolicy() {
    GatewayConfig.Result r = validate(HTTP.formatted("", ""));
    var config = r.config().listeners().get(0).httpConfig();
    assertThat(config.retryPolicy()).isEqualTo(RetryPolicy.defaults());
    assertThat(config.preserveHostHeader()).isFalse();
    assertThat(config.verifyTargetCertificates()).isFalse();
    assertThat(r.config().targetGroups().get(0).config().hashKey()).isEqualTo(HashKey.sourceIp());
  }

  @Test
  void badRetryValuesAreReportedAtTheirPosition() {
    assertThat(errors(HTTP.formatted("retry: {maxAttempts: 0, budgetRatio: 2, tries: 1}", "")))
        .containsExactly(
            "gw.yaml:4:26: listeners[0].retry.maxAttempts: 0 (expected: 1-10)",
            "gw.yaml:4:42: listeners[0].retry.budgetRatio: 2 (expected: 0.0-1.0)",
            "gw.yaml:4:45: listeners[0].retry.tries: unknown field (expected: one of maxAttempts, budgetRatio, "
                + "budgetMinPerSecond)");
  }

  @Test
  void theHashKeyIsReadAndABadOneIsReported() {
    GatewayConfig.Result ok = validate(HTTP.formatted("", """
        attributes: {load_balancing.algorithm.type: ring_hash, load_balancing.hash_key: "http_header:X-User"}"""));
    assertThat(ok.errors()).isEmpty();
    assertThat(ok.config().targetGroups().get(0).config().hashKey()).isEqualTo(HashKey.header("X-User"));
    assertThat(errors(HTTP.formatted("", """
        attributes: {load_balancing.hash_key: "cookie"}""")))
        .containsExactly("gw.yaml:8:43: targetGroups[0].attributes.load_balancing.hash_key: \"cookie\" (expected: "
            + "source_ip, http_header:<name>, http_cookie:<name> or query_parameter:<name>)");
  }

  @Test
  void aTcpListenerTakesAnAttemptLimit() {
    GatewayConfig.Result r = validate("""
        listeners:
          - name: nlb
            protocol: TCP
            port: 9000
            retry: {maxAttempts: 2}
            defaultActions: [{type: forward, targetGroupName: web}]
        targetGroups:
          - name: web
        """);
    assertThat(r.errors()).isEmpty();
    assertThat(r.config().listeners().get(0).retryPolicy().maxAttempts()).isEqualTo(2);
  }
}
