package dev.loadstar.gateway.accesslog;

import static org.assertj.core.api.Assertions.assertThat;

import dev.loadstar.gateway.config.AccessLogSettings;
import dev.loadstar.gateway.config.ConfigError;
import dev.loadstar.gateway.config.GatewayConfig;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The {@code access_logs.*} listener attributes: defaults, ranges, stdout, shared files. */
class AccessLogConfigTest {

  private static GatewayConfig.Result read(String listenerAttributes, String second) {
    String yaml = """
        listeners:
          - name: web
            port: 0
            attributes: %s
            defaultActions: [{type: fixed-response, fixedResponseConfig: {statusCode: 200}}]
        %s
        """.formatted(listenerAttributes, second);
    return GatewayConfig.validate(yaml, "gw.yaml", false, Map.<String, String>of()::get);
  }

  private static List<String> errors(String attributes) {
    return read(attributes, "").errors().stream().map(ConfigError::toString).toList();
  }

  private static List<String> messages(String attributes) {
    return read(attributes, "").errors().stream().map(ConfigError::message).toList();
  }

  @Test
  void accessLogsAreOffByDefaultAndGoToStdoutWhenOnlyEnabled() {
    assertThat(read("{}", "").config().listeners().get(0).accessLog()).isNull();
    AccessLogSettings s = read("{access_logs.enabled: \"true\"}", "").config().listeners().get(0).accessLog();
    assertThat(s).isEqualTo(new AccessLogSettings("stdout", 100L << 20, Duration.ofHours(1), 10, 8192));
  }

  @Test
  void aFileWithRotationSettings(@TempDir Path dir) {
    AccessLogSettings s = read("{access_logs.enabled: true, access_logs.path: " + dir.resolve("a.log")
        + ", access_logs.rotation.max_size_mb: 5, access_logs.rotation.interval_seconds: 0,"
        + " access_logs.rotation.max_files: 3, access_logs.queue_size: 100}", "").config().listeners().get(0)
        .accessLog();
    assertThat(s).isEqualTo(new AccessLogSettings(dir.resolve("a.log").toString(), 5L << 20, Duration.ZERO, 3, 100));
  }

  @Test
  void badValuesAreReportedWithTheirPositions(@TempDir Path dir) {
    assertThat(errors("{access_logs.enabled: true, access_logs.rotation.max_size_mb: 0,"
        + " access_logs.rotation.interval_seconds: 30, access_logs.rotation.max_files: 0, access_logs.queue_size: -1,"
        + " access_logs.path: " + dir.resolve("a.log") + "}")).containsExactly(
        "gw.yaml:4:79: listeners[0].attributes.access_logs.rotation.max_size_mb: 0 (expected: 1-1048576 (MiB))",
        "gw.yaml:4:121: listeners[0].attributes.access_logs.rotation.interval_seconds: 30 (expected: 0 (rotate by "
            + "size only) or 60-604800 seconds)",
        "gw.yaml:4:157: listeners[0].attributes.access_logs.rotation.max_files: 0 (expected: 1-1000)",
        "gw.yaml:4:184: listeners[0].attributes.access_logs.queue_size: -1 (expected: 1-1000000)");
    assertThat(messages("{access_logs.enabled: true, access_logs.path: /no/such/dir/a.log}")).containsExactly(
        "listeners[0].attributes.access_logs.path: \"/no/such/dir/a.log\" (expected: stdout, or a "
            + "file in an existing directory)");
    assertThat(messages("{access_logs.enabled: maybe, access_logs.rotation.max_files: 2}")).containsExactly(
        "listeners[0].attributes.access_logs.enabled: \"maybe\" (expected: true or false)");
    assertThat(messages("{access_logs.enabled: true, access_logs.path: stdout, access_logs.rotation.max_files: 2}"))
        .containsExactly("listeners[0].attributes.access_logs.rotation.max_files: 2 (expected: no "
            + "rotation setting with path stdout)");
    assertThat(errors("{access_log.enabled: true}")).hasSize(1).first().asString()
        .contains("listeners[0].attributes.access_log.enabled: unknown field").contains("access_logs.enabled");
  }

  @Test
  void listenersSharingAFileMustShareItsSettings(@TempDir Path dir) {
    String file = dir.resolve("shared.log").toString();
    String second = """
          - name: api
            port: 0
            attributes: {access_logs.enabled: true, access_logs.path: %s, access_logs.queue_size: 10}
            defaultActions: [{type: fixed-response, fixedResponseConfig: {statusCode: 200}}]
        """.formatted(file);
    GatewayConfig.Result r = read("{access_logs.enabled: true, access_logs.path: " + file + "}", second);
    assertThat(r.errors()).extracting(ConfigError::message).containsExactly("listeners[1].attributes.access_logs.path: \""
        + file + "\" (expected: the same access_logs settings as listeners[0].attributes, which writes to it)");
    String same = second.replace(", access_logs.queue_size: 10", "");
    assertThat(read("{access_logs.enabled: true, access_logs.path: " + file + "}", same).errors()).isEmpty();
  }
}
