package dev.loadstar.samples;

import static org.assertj.core.api.Assertions.assertThat;

import io.vertx.core.net.SelfSignedCertificate;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The {@code validate} and {@code gateway} subcommands through {@link Main#run}: exit codes, output, help. */
class CommandLineTest {

  private final ByteArrayOutputStream out = new ByteArrayOutputStream();
  private final ByteArrayOutputStream err = new ByteArrayOutputStream();
  private PrintStream originalOut;
  private PrintStream originalErr;

  @BeforeEach
  void capture() {
    originalOut = System.out;
    originalErr = System.err;
    System.setOut(new PrintStream(out, true, StandardCharsets.UTF_8));
    System.setErr(new PrintStream(err, true, StandardCharsets.UTF_8));
  }

  @AfterEach
  void restore() {
    System.setOut(originalOut);
    System.setErr(originalErr);
  }

  private String out() {
    return out.toString(StandardCharsets.UTF_8);
  }

  private String err() {
    return err.toString(StandardCharsets.UTF_8);
  }

  @Test
  void validateExitsZeroForTheCompleteExampleWithASecretAndCertificatesOfYourOwn() {
    SelfSignedCertificate www = SelfSignedCertificate.create("www.example.com");
    SelfSignedCertificate images = SelfSignedCertificate.create("images.example.com");
    try {
      Map<String, String> env = Map.of("STICKINESS_SECRET", "q3V9x7LmT2pZk8rWc4YbN6hJ",
          "WWW_CERT_FILE", www.certificatePath(), "WWW_KEY_FILE", www.privateKeyPath(),
          "IMAGES_CERT_FILE", images.certificatePath(), "IMAGES_KEY_FILE", images.privateKeyPath());
      int code = Main.run(env::get, "validate", "--config", "examples/complete.yaml");
      assertThat(err()).isEmpty();
      assertThat(code).isZero();
      assertThat(out()).isEqualTo("examples/complete.yaml: valid (4 listeners, 7 target groups, 1 scaling groups)"
          + System.lineSeparator());
    } finally {
      www.delete();
      images.delete();
    }
  }

  @Test
  void validateRefusesTheCompleteExampleWithoutASecretOrWithTheOldPlaceholder() {
    assertThat(Main.run(Map.<String, String>of()::get, "validate", "--config", "examples/complete.yaml")).isOne();
    assertThat(err()).contains("stickinessSecrets[0]: \"${env:STICKINESS_SECRET}\" (expected: STICKINESS_SECRET set "
        + "in the environment");
    err.reset();
    assertThat(Main.run(Map.of("STICKINESS_SECRET", "change-me-to-a-long-random-secret")::get, "validate",
        "--config", "examples/complete.yaml")).isOne();
    assertThat(err()).contains("stickinessSecrets[0]: \"${env:STICKINESS_SECRET}\" <33 bytes> (expected: a secret "
        + "of your own, not an example's placeholder").doesNotContain("change-me");
  }

  @Test
  void validateExitsZeroForTheMinimalExample() {
    assertThat(Main.run("validate", "--config", "examples/minimal.yaml")).isZero();
    assertThat(out()).isEqualTo("examples/minimal.yaml: valid (1 listeners, 1 target groups, 1 scaling groups)"
        + System.lineSeparator());
  }

  @Test
  void validateExitsOneAndPrintsEveryError(@TempDir Path dir) throws IOException {
    Path file = dir.resolve("bad.yaml");
    Files.writeString(file, """
        listeners:
          - name: web
            port: 8080
            defaultActions: [{type: forward, targetGroupName: api}]
        targetGroups:
          - name: web
            healthCheck: {intervalSeconds: 3}
        """);
    int code = Main.run("validate", "-c", file.toString());
    assertThat(code).isEqualTo(1);
    assertThat(out()).isEmpty();
    assertThat(err().split("\\R")).containsExactly(
        file + ":4:55: listeners[0].defaultActions[0].targetGroupName: \"api\" (expected: the name of a target group "
            + "defined under targetGroups (web))",
        file + ":7:36: targetGroups[0].healthCheck.intervalSeconds: 3 (expected: 5-300 whole seconds, or 0.01-300 "
            + "with embedded: true)",
        "2 errors");
  }

  @Test
  void validateAndGatewayRefuseALoopOfBalancerTargetsNamingTheCycle(@TempDir Path dir) throws IOException {
    Path file = dir.resolve("loop.yaml");
    Files.writeString(file, """
        listeners:
          - name: edge
            port: 8080
            defaultActions: [{type: forward, targetGroupName: web}]
        targetGroups:
          - name: web
            targets:
              - {id: back, type: alb, listener: edge}
        """);
    String error = file + ":8:41: targetGroups[0].targets[0].listener: \"edge\" (expected: no loop; target group web "
        + "-> listener edge -> target group web)";
    assertThat(Main.run("validate", "--config", file.toString())).isEqualTo(1);
    assertThat(err().split("\\R")).containsExactly(error, "1 error");
    err.reset();
    assertThat(Main.run("gateway", "--config", file.toString())).isEqualTo(1);
    assertThat(err().split("\\R")).containsExactly(error, "1 error");
    assertThat(out()).isEmpty();
  }

  @Test
  void validateExitsOneForAMissingFile(@TempDir Path dir) {
    Path file = dir.resolve("missing.yaml");
    assertThat(Main.run("validate", "--config", file.toString())).isEqualTo(1);
    assertThat(err()).startsWith(file + ":1:1: no such file");
  }

  @Test
  void validateWithoutAConfigIsAUsageError() {
    assertThat(Main.run("validate")).isEqualTo(2);
    assertThat(err()).contains("Missing required option: '--config=FILE'");
  }

  @Test
  void gatewayRefusesAnInvalidFileWithExitCodeOne(@TempDir Path dir) throws IOException {
    Path file = dir.resolve("bad.json");
    Files.writeString(file, "{\"listeners\": []}");
    assertThat(Main.run("gateway", "--config", file.toString())).isEqualTo(1);
    assertThat(err()).isEqualTo(file + ":1:15: listeners: [] (expected: at least one listener)"
        + System.lineSeparator() + "1 error" + System.lineSeparator());
  }

  @Test
  void gatewayExitsOneWhenAPortCannotBeBound(@TempDir Path dir) throws IOException {
    try (java.net.ServerSocket taken = new java.net.ServerSocket(0, 50,
        java.net.InetAddress.getByName("127.0.0.1"))) {
      Path file = dir.resolve("gw.yaml");
      Files.writeString(file, """
          admin: {port: 0}
          listeners:
            - name: web
              host: 127.0.0.1
              port: %d
              defaultActions: [{type: fixed-response, fixedResponseConfig: {statusCode: 200}}]
          """.formatted(taken.getLocalPort()));
      assertThat(Main.run("gateway", "--config", file.toString())).isEqualTo(1);
      assertThat(err()).startsWith("gateway: listener web: cannot bind 127.0.0.1:" + taken.getLocalPort() + ": ");
      assertThat(out()).isEmpty();
    }
  }

  @Test
  void bothCommandsHaveHelp() {
    assertThat(Main.run("validate", "--help")).isZero();
    assertThat(out()).contains("Usage: loadstar validate").contains("-c, --config=FILE")
        .contains("Exit code 0 when the file is valid, 1 when it has errors.");
    out.reset();
    assertThat(Main.run("gateway", "--help")).isZero();
    assertThat(out()).contains("Usage: loadstar gateway").contains("-c, --config=FILE")
        .contains("runs until interrupted");
  }
}
