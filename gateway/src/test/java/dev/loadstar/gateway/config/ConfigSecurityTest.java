package dev.loadstar.gateway.config;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/** What a configuration file cannot do: leak environment values, alias values, be huge, ship a known secret. */
class ConfigSecurityTest {

  private static List<String> errors(String yaml, Map<String, String> env) {
    return GatewayConfig.validate(yaml, "gw.yaml", false, env::get).errors().stream().map(ConfigError::toString)
        .toList();
  }

  private static final String LISTENER = """
      listeners:
        - name: web
          host: 127.0.0.1
          port: 0
          defaultActions: [{type: forward, targetGroupName: web}]
      targetGroups:
        - name: web
      """;

  @Test
  void anErrorShowsTheEnvironmentReferenceNeverItsValue() {
    List<String> errors = errors("""
        admin: {port: "${env:ADMIN_PORT}"}
        listeners:
          - name: web
            host: 127.0.0.1
            port: 0
            defaultActions: [{type: forward, targetGroupName: web}]
        targetGroups:
          - name: web
            healthCheck: {path: "${env:CHECK_PATH}"}
        """, Map.of("ADMIN_PORT", "hunter2", "CHECK_PATH", "db-password-hunter3"));
    assertThat(errors).hasSize(2);
    assertThat(errors.get(0)).isEqualTo("gw.yaml:1:15: admin.port: \"${env:ADMIN_PORT}\" (expected: a port 0-65535)");
    assertThat(errors.get(1)).startsWith("gw.yaml:9:25: targetGroups[0].healthCheck.path: \"${env:CHECK_PATH}\" "
        + "(expected: ");
    assertThat(String.join("\n", errors)).doesNotContain("hunter2").doesNotContain("hunter3");
  }

  @Test
  void yamlAnchorsAndAliasesAreRefusedInsteadOfReadingAsTheAnchorsName() {
    List<String> errors = errors("""
        listeners:
          - name: web
            host: &loopback 127.0.0.1
            port: 0
            defaultActions: [{type: forward, targetGroupName: web}]
          - name: api
            host: *loopback
            port: 0
            defaultActions: [{type: forward, targetGroupName: web}]
        targetGroups:
          - name: web
        """, Map.of());
    assertThat(errors).containsExactly(
        "gw.yaml:3:11: listeners[0].host: an anchor &loopback (expected: every value written out: YAML anchors and "
            + "aliases are not supported)",
        "gw.yaml:7:11: listeners[1].host: an alias *loopback (expected: every value written out: YAML anchors and "
            + "aliases are not supported)");
  }

  @Test
  @Timeout(30)
  void aFileOverTheSizeCapIsOneErrorWithoutParsingIt(@TempDir Path dir) throws Exception {
    String huge = LISTENER + "# " + "x".repeat(GatewayConfig.MAX_CHARS) + "\n";
    assertThat(errors(huge, Map.of())).containsExactly("gw.yaml:1:1: " + huge.length() + " characters (expected: a "
        + "configuration file of at most 1048576 characters)");
    Path file = dir.resolve("huge.yaml");
    Files.writeString(file, "a: \"" + "y".repeat(5 * GatewayConfig.MAX_CHARS) + "\"\n");
    assertThat(GatewayConfig.read(file, Map.<String, String>of()::get).errors()).extracting(ConfigError::message)
        .containsExactly(Files.size(file) + " bytes (expected: a configuration file of at most 1048576 characters)");
  }

  @Test
  void theExamplesPlaceholderSecretAndWeakSecretsAreRefusedWithoutShowingThem() {
    String yaml = "stickinessSecrets:\n  - \"${env:STICKINESS_SECRET}\"\n" + LISTENER;
    assertThat(errors(yaml, Map.of("STICKINESS_SECRET", "change-me-to-a-long-random-secret"))).containsExactly(
        "gw.yaml:2:5: stickinessSecrets[0]: \"${env:STICKINESS_SECRET}\" <33 bytes> (expected: a secret of your own, "
            + "not an example's placeholder; set it from the environment, e.g. ${env:STICKINESS_SECRET} with the "
            + "output of `head -c 32 /dev/urandom | base64`)");
    List<String> weak = errors("stickinessSecrets: [aaaaaaaaaaaaaaaaaaaaaaaa, passwordpassword, short]\n" + LISTENER,
        Map.of());
    assertThat(weak).hasSize(3);
    assertThat(weak.get(0)).startsWith("gw.yaml:1:21: stickinessSecrets[0]: <24 bytes> (expected: a random secret, "
        + "at least 48 bits");
    assertThat(weak.get(1)).startsWith("gw.yaml:1:47: stickinessSecrets[1]: <16 bytes> (expected: a random secret");
    assertThat(weak.get(2)).startsWith("gw.yaml:1:65: stickinessSecrets[2]: <5 bytes> (expected: at least 16 bytes");
    assertThat(String.join("\n", weak)).doesNotContain("aaaa").doesNotContain("password").doesNotContain("short");
    assertThat(errors("stickinessSecrets: [\"q3V9x7LmT2pZk8rWc4YbN6hJ\"]\n" + LISTENER, Map.of())).isEmpty();
  }
}
