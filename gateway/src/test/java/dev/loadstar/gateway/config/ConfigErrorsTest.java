package dev.loadstar.gateway.config;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** One test per kind of configuration error, asserting the exact message (file, line, column, path, value, expected). */
class ConfigErrorsTest {

  /** A valid base: one listener, one target group; tests append or replace parts. */
  private static final String LISTENER = """
      listeners:
        - name: web
          port: 8080
          defaultActions:
            - type: forward
              targetGroupName: web
      """;

  private static List<String> errors(String yaml) {
    return errors(yaml, Map.of());
  }

  private static List<String> errors(String yaml, Map<String, String> env) {
    GatewayConfig.Result r = GatewayConfig.validate(yaml, "gw.yaml", false, env::get);
    return r.errors().stream().map(ConfigError::toString).toList();
  }

  @Test
  void validBaseHasNoErrors() {
    assertThat(errors(LISTENER + """
        targetGroups:
          - name: web
        """)).isEmpty();
  }

  @Test
  void unknownFieldIsAnErrorWithDidYouMean() {
    assertThat(errors(LISTENER + """
        targetGroups:
          - name: web
            healtCheck:
              path: /health
        """)).containsExactly("gw.yaml:9:5: targetGroups[0].healtCheck: unknown field (expected: one of name, "
        + "protocol, protocolVersion, healthCheck, failOpen, attributes, outlierDetection, targets, discovery; "
        + "did you mean \"healthCheck\"?)");
  }

  @Test
  void unknownAttributeKeySuggestsAlbsKey() {
    assertThat(errors(LISTENER + """
        targetGroups:
          - name: web
            attributes:
              deregistration_delay.timeout_second: 30
        """)).singleElement().asString()
        .startsWith("gw.yaml:10:7: targetGroups[0].attributes.deregistration_delay.timeout_second: unknown field")
        .endsWith("did you mean \"deregistration_delay.timeout_seconds\"?)");
  }

  @Test
  void unknownFieldFarFromEveryKnownOneHasNoSuggestion() {
    assertThat(errors(LISTENER + """
        targetGroups:
          - name: web
        colour: blue
        """)).containsExactly("gw.yaml:9:1: colour: unknown field (expected: one of stickinessSecrets, admin, "
        + "zone, targetGroups, listeners, scalingGroups)");
  }

  @Test
  void wrongTypeNamesTheValueAndTheExpectedType() {
    assertThat(errors(LISTENER + """
        targetGroups:
          - name: web
            healthCheck:
              intervalSeconds: thirty
              enabled: "yes"
            targets: {id: a}
        """)).containsExactly(
        "gw.yaml:10:24: targetGroups[0].healthCheck.intervalSeconds: \"thirty\" (expected: a number of seconds)",
        "gw.yaml:11:16: targetGroups[0].healthCheck.enabled: \"yes\" (expected: true or false)",
        "gw.yaml:12:14: targetGroups[0].targets: an object (expected: a list)");
  }

  @Test
  void outOfRangeValuesGiveAlbsRanges() {
    assertThat(errors(LISTENER + """
        targetGroups:
          - name: web
            attributes:
              deregistration_delay.timeout_seconds: 4000
              stickiness.lb_cookie.duration_seconds: 0
            healthCheck:
              intervalSeconds: 3
              healthyThresholdCount: 11
              matcher:
                httpCode: "500"
        """)).containsExactly(
        "gw.yaml:10:45: targetGroups[0].attributes.deregistration_delay.timeout_seconds: 4000 (expected: 0-3600)",
        "gw.yaml:11:46: targetGroups[0].attributes.stickiness.lb_cookie.duration_seconds: 0 (expected: 1-604800)",
        "gw.yaml:13:24: targetGroups[0].healthCheck.intervalSeconds: 3 (expected: 5-300 whole seconds, or 0.01-300 "
            + "with embedded: true)",
        "gw.yaml:14:30: targetGroups[0].healthCheck.healthyThresholdCount: 11 (expected: 2-10)",
        "gw.yaml:16:19: targetGroups[0].healthCheck.matcher.httpCode: \"500\" (expected: codes 200-499 as \"200\", "
            + "\"200,202\" or \"200-299\")");
  }

  @Test
  void listenerEventLoopsAreCheckedAndApplied() {
    String listener = """
        listeners:
          - name: web
            port: 8080
            eventLoops: %s
            defaultActions:
              - type: forward
                targetGroupName: web
        targetGroups:
          - name: web
        """;
    assertThat(errors(listener.formatted("0"))).containsExactly("gw.yaml:4:17: listeners[0].eventLoops: 0 (expected: "
        + "1-1024)");
    GatewayConfig.Result ok = GatewayConfig.validate(listener.formatted("3"), "gw.yaml", false, k -> null);
    assertThat(ok.errors()).isEmpty();
    assertThat(ok.config().listeners().get(0).httpConfig().eventLoops()).isEqualTo(3);
  }

  @Test
  void anErrorCausedOnlyByAnotherFieldIsNotReportedTwice() {
    // the timeout is compared with the interval; with the interval invalid, only the interval is reported
    assertThat(errors(LISTENER + """
        targetGroups:
          - name: web
            healthCheck:
              intervalSeconds: 3
              timeoutSeconds: 40
        """)).containsExactly("gw.yaml:10:24: targetGroups[0].healthCheck.intervalSeconds: 3 (expected: 5-300 whole "
        + "seconds, or 0.01-300 with embedded: true)");
  }

  @Test
  void fieldsCheckedTogetherAreReportedOnTheFieldThatBreaksTheRule() {
    assertThat(errors(LISTENER + """
        targetGroups:
          - name: web
            healthCheck:
              intervalSeconds: 10
              timeoutSeconds: 10
        scalingGroups:
          - name: asg
            launchTemplate: {provider: in-process}
            minSize: 1
            maxSize: 3
            desiredCapacity: 5
        """)).containsExactly(
        "gw.yaml:11:23: targetGroups[0].healthCheck.timeoutSeconds: 10 (expected: less than intervalSeconds 10)",
        "gw.yaml:17:22: scalingGroups[0].desiredCapacity: 5 (expected: minSize 1 <= desiredCapacity <= maxSize 3)");
  }

  @Test
  void missingRequiredFieldsAreNamedWithWhatIsExpected() {
    assertThat(errors("""
        listeners:
          - name: web
            defaultActions:
              - type: forward
        targetGroups:
          - protocol: HTTP
        scalingGroups:
          - name: asg
            launchTemplate: {provider: in-process}
            maxSize: 2
        """)).containsExactly(
        "gw.yaml:2:5: listeners[0].port: missing (expected: a port 0-65535 (0 picks a free port))",
        "gw.yaml:4:9: listeners[0].defaultActions[0].targetGroupName: missing (expected: the target group to forward "
            + "to (or forwardConfig with weighted targetGroups))",
        "gw.yaml:6:5: targetGroups[0].name: missing (expected: a target group name: 1-32 letters, digits and hyphens)",
        "gw.yaml:8:5: scalingGroups[0].minSize: missing (expected: MinSize, a whole number >= 0)");
  }

  @Test
  void referencesToUndefinedTargetGroupsAreErrorsWithDidYouMean() {
    assertThat(errors("""
        listeners:
          - name: web
            port: 8080
            rules:
              - priority: 1
                conditions: [{field: path-pattern, values: ["/img/*"]}]
                actions: [{type: forward, targetGroupName: imges}]
            defaultActions: [{type: forward, targetGroupName: web}]
        targetGroups:
          - name: web
          - name: images
        scalingGroups:
          - name: asg
            launchTemplate: {provider: in-process}
            minSize: 1
            maxSize: 1
            targetGroups: [web, cache]
            policies:
              - name: p
                policyType: TargetTrackingScaling
                targetTrackingConfiguration:
                  predefinedMetricSpecification:
                    predefinedMetricType: ALBRequestCountPerTarget
                    resourceLabel: images
                  targetValue: 100
        """)).containsExactly(
        "gw.yaml:7:52: listeners[0].rules[0].actions[0].targetGroupName: \"imges\" (expected: the name of a target "
            + "group defined under targetGroups (web, images); did you mean \"images\"?)",
        "gw.yaml:17:25: scalingGroups[0].targetGroups[1]: \"cache\" (expected: the name of a target group defined "
            + "under targetGroups (web, images))",
        "gw.yaml:24:28: scalingGroups[0].policies[0].targetTrackingConfiguration.predefinedMetricSpecification"
            + ".resourceLabel: \"images\" (expected: a target group this scaling group is attached to (web, cache))");
  }

  @Test
  void duplicateNamesAreErrorsNamingTheFirstHolder() {
    assertThat(errors(LISTENER + """
          - name: web
            port: 8081
            defaultActions: [{type: forward, targetGroupName: web}]
        targetGroups:
          - name: web
          - name: web
        """)).containsExactly(
        "gw.yaml:7:11: listeners[1].name: \"web\" (expected: a name no other listener uses; listeners[0] has it)",
        "gw.yaml:12:11: targetGroups[1].name: \"web\" (expected: a name no other target group uses; targetGroups[0] "
            + "has it)");
  }

  @Test
  void listenerPortClashesAreErrors() {
    assertThat(errors("""
        admin: {port: 9000}
        listeners:
          - name: web
            port: 8080
            defaultActions: [{type: forward, targetGroupName: web}]
          - name: tcp
            protocol: TCP
            host: 127.0.0.1
            port: 8080
            defaultActions: [{type: forward, targetGroupName: web}]
          - name: other
            port: 9000
            defaultActions: [{type: forward, targetGroupName: web}]
          - name: elsewhere
            host: 127.0.0.2
            port: 8081
            defaultActions: [{type: forward, targetGroupName: web}]
          - name: alsoElsewhere
            host: 127.0.0.3
            port: 8081
            defaultActions: [{type: forward, targetGroupName: web}]
          - name: free
            port: 0
            defaultActions: [{type: forward, targetGroupName: web}]
          - name: free2
            port: 0
            defaultActions: [{type: forward, targetGroupName: web}]
        targetGroups:
          - name: web
        """)).containsExactly(
        "gw.yaml:1:15: admin.port: 9000 (expected: a port nothing else binds on 127.0.0.1; listeners[2] binds "
            + "0.0.0.0:9000)",
        "gw.yaml:9:11: listeners[1].port: 8080 (expected: a port nothing else binds on 127.0.0.1; listeners[0] binds "
            + "0.0.0.0:8080)");
  }

  @Test
  void ruleValuesAreCheckedByRoutingAndReportedAtTheValue() {
    assertThat(errors("""
        listeners:
          - name: web
            port: 8080
            rules:
              - priority: 70000
                conditions: [{field: path-pattern, values: ["/a"]}]
                actions: [{type: forward, targetGroupName: web}]
              - priority: 2
                conditions:
                  - field: host-header
                    values: ["ok.example.com", "bad_host.example.com"]
                actions: [{type: forward, targetGroupName: web}]
              - priority: 2
                conditions: [{field: path-patern, values: ["/b"]}]
                actions: [{type: fixed-response, fixedResponseConfig: {statusCode: 302}}]
            defaultActions:
              - type: redirect
                redirectConfig: {statusCode: HTTP_307}
        targetGroups:
          - name: web
        """)).containsExactly(
        "gw.yaml:5:19: listeners[0].rules[0].priority: 70000 (expected: 1-50000)",
        "gw.yaml:11:40: listeners[0].rules[1].conditions[0].values[1]: \"bad_host.example.com\" (expected: only A-Z "
            + "a-z 0-9 - . * ?)",
        "gw.yaml:13:19: listeners[0].rules[2].priority: 2 (expected: a priority no other rule of the listener uses "
            + "(PriorityInUse); listeners[0].rules[1] has it)",
        "gw.yaml:14:30: listeners[0].rules[2].conditions[0].field: \"path-patern\" (expected: one of host-header, "
            + "path-pattern, http-header, http-request-method, query-string, source-ip, listener-port; did you mean "
            + "\"path-pattern\"?)",
        "gw.yaml:18:38: listeners[0].defaultActions[0].redirectConfig.statusCode: \"HTTP_307\" (expected: one of "
            + "HTTP_301, HTTP_302; did you mean \"HTTP_301\"?)");
  }

  @Test
  void aLibraryChoiceGetsADidYouMeanToo() {
    assertThat(errors(LISTENER + """
        targetGroups:
          - name: web
            attributes:
              load_balancing.algorithm.type: round_robbin
        """)).containsExactly("gw.yaml:10:38: targetGroups[0].attributes.load_balancing.algorithm.type: "
        + "\"round_robbin\" (expected: one of round_robin, least_outstanding_requests, weighted_random, "
        + "power_of_two_choices, peak_ewma, ring_hash, maglev; did you mean \"round_robin\"?)");
  }

  @Test
  void weightedRandomWithStickinessIsAnErrorAtTheStickinessKey() {
    assertThat(errors(LISTENER + """
        targetGroups:
          - name: web
            attributes:
              load_balancing.algorithm.type: weighted_random
              stickiness.enabled: true
        """)).containsExactly("gw.yaml:11:27: targetGroups[0].attributes.stickiness.enabled: true (expected: false "
        + "with attributes.load_balancing.algorithm.type weighted_random, which does not support sticky sessions)");
  }

  @Test
  void discoveryErrorsArePrefixedWithTheirPath() {
    assertThat(errors(LISTENER + """
        targetGroups:
          - name: web
            discovery:
              sources:
                - type: static
                  targets: ["127.0.0.1:8081"]
                - type: dns
                  hostname: web.internal
                  port: 0
        """)).containsExactly("gw.yaml:15:17: targetGroups[0].discovery.sources[1].port: 0 (expected: 1-65535)");
  }

  @Test
  void anAdminApiOnANonLoopbackAddressNeedsAToken() {
    assertThat(errors(LISTENER + """
        targetGroups:
          - name: web
        admin:
          host: 0.0.0.0
        """)).containsExactly("gw.yaml:10:9: admin.host: \"0.0.0.0\" (expected: a loopback address (127.0.0.1, ::1, "
        + "localhost) unless admin.token is set: the admin API changes the gateway)");
    assertThat(errors(LISTENER + """
        targetGroups:
          - name: web
        admin:
          host: 0.0.0.0
          token: s3cret
        """)).isEmpty();
  }

  @Test
  void environmentReferencesAreResolvedTypedAndReportedWhenUnset() {
    String yaml = """
        listeners:
          - name: web
            port: ${env:WEB_PORT}
            host: "${env:HOST:-127.0.0.1}"
            defaultActions: [{type: forward, targetGroupName: web}]
        targetGroups:
          - name: web
        """;
    assertThat(errors(yaml)).containsExactly("gw.yaml:3:11: listeners[0].port: \"${env:WEB_PORT}\" (expected: "
        + "WEB_PORT set in the environment, or a default: ${env:WEB_PORT:-value})");
    GatewayConfig c = GatewayConfig.parse(yaml, "gw.yaml", false, Map.of("WEB_PORT", "0")::get);
    assertThat(c.listeners().get(0).port()).isZero();
    assertThat(c.listeners().get(0).host()).isEqualTo("127.0.0.1");
  }

  @Test
  void syntaxErrorsGiveTheLine() {
    assertThat(errors("""
        listeners:
          - name: web
            port: [8080
        """)).containsExactly("gw.yaml:3:16: syntax error: while parsing a flow sequence; expected ',' or ']', but "
        + "got <stream end>");
  }

  @Test
  void jsonIsReadWithTheSameNamesAndPositions() {
    GatewayConfig.Result r = GatewayConfig.validate("""
        {"listeners": [{"name": "web", "port": 8080,
                        "defaultActions": [{"type": "forward", "targetGroupName": "web"}]}],
         "targetGroups": [{"name": "web", "healthCheck": {"intervalSeconds": 3}}]}
        """, "gw.json", true, Map.<String, String>of()::get);
    assertThat(r.errors()).extracting(ConfigError::toString).containsExactly("gw.json:3:70: targetGroups[0]"
        + ".healthCheck.intervalSeconds: 3 (expected: 5-300 whole seconds, or 0.01-300 with embedded: true)");
  }

  @Test
  void everyErrorOfAFileIsReportedAtOnceWithFileLineAndPath(@TempDir Path dir) throws IOException {
    Path file = dir.resolve("gateway.yaml");
    Files.writeString(file, """
        listeners:
          - name: web
            port: 70000
            defaultActions: [{type: forward, targetGroupName: api}]
        targetGroups:
          - name: web
            protocol: HTTP2
            healthCheck:
              intervalSeconds: 3
            targets:
              - {id: web-1, host: 127.0.0.1, port: 0}
          - name: web
        scalingGroups:
          - name: asg
            launchTemplate: {provider: in-proces}
            minSize: 3
            maxSize: 2
            healthCheckGracePeriod: -1
        """);
    assertThatThrownBy(() -> GatewayConfig.load(file, Map.<String, String>of()::get))
        .isInstanceOfSatisfying(ConfigException.class, e -> {
          assertThat(e.errors()).extracting(ConfigError::path).containsExactly(
              "listeners[0].port",
              "listeners[0].defaultActions[0].targetGroupName",
              "targetGroups[0].protocol",
              "targetGroups[0].healthCheck.intervalSeconds",
              "targetGroups[0].targets[0].port",
              "targetGroups[1].name",
              "scalingGroups[0].launchTemplate.provider",
              "scalingGroups[0].maxSize",
              "scalingGroups[0].healthCheckGracePeriod");
          assertThat(e.errors()).allSatisfy(err -> assertThat(err.toString()).startsWith(file + ":"));
          assertThat(e.errors().get(0).toString()).isEqualTo(file + ":3:11: listeners[0].port: 70000 (expected: "
              + "0-65535)");
          assertThat(e.errors().get(2).toString()).isEqualTo(file + ":7:15: targetGroups[0].protocol: \"HTTP2\" "
              + "(expected: one of HTTP, HTTPS; did you mean \"HTTP\"?)");
          assertThat(e.errors().get(8).toString()).isEqualTo(file + ":18:29: scalingGroups[0].healthCheckGracePeriod: "
              + "-1 (expected: >= 0)");
          assertThat(e.getMessage()).startsWith("9 errors" + System.lineSeparator() + file + ":3:11: ");
        });
  }

  @Test
  void aMissingFileIsOneError(@TempDir Path dir) {
    Path file = dir.resolve("nope.yaml");
    assertThat(GatewayConfig.check(file, Map.<String, String>of()::get)).extracting(ConfigError::toString)
        .containsExactly(file + ":1:1: no such file");
  }

  @Test
  void grpcHealthCheckIsReadWithItsGrpcCodeMatcher() {
    GatewayConfig c = GatewayConfig.parse(LISTENER + """
        targetGroups:
          - name: web
            healthCheck:
              protocol: GRPC
              path: /grpc.health.v1.Health/Check
              matcher:
                grpcCode: "0"
        """, "gw.yaml", false, Map.<String, String>of()::get);
    dev.loadstar.healthcheck.HealthCheck hc = c.targetGroups().get(0).healthCheck();
    assertThat(hc.protocol()).isEqualTo(dev.loadstar.healthcheck.HealthCheck.Protocol.GRPC);
    assertThat(hc.path()).isEqualTo("/grpc.health.v1.Health/Check");
    assertThat(hc.grpcCode()).isEqualTo("0");
    assertThat(hc.matchesGrpc(0)).isTrue();
    assertThat(hc.matchesGrpc(12)).isFalse();
  }

  @Test
  void grpcCodeWithAnHttpHealthCheckIsAnError() {
    assertThat(errors(LISTENER + """
        targetGroups:
          - name: web
            healthCheck:
              matcher:
                grpcCode: "0"
        """)).containsExactly("gw.yaml:11:19: targetGroups[0].healthCheck.matcher.grpcCode: \"0\" "
        + "(expected: no GrpcCode with protocol HTTP (GRPC only))");
  }
}
