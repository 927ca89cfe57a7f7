package dev.loadstar.samples.lab;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.loadstar.core.TargetHealth;
import dev.loadstar.scaling.HealthCheckType;
import dev.loadstar.scaling.InstanceState;
import io.vertx.core.Vertx;
import io.vertx.core.http.HttpClient;
import io.vertx.core.http.HttpMethod;
import java.io.ByteArrayOutputStream;
import java.io.PipedInputStream;
import java.io.PipedOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** The interactive lab's commands against a running lab (with the unattended run's fast timings). */
class LabConsoleTest {

  private Vertx vertx;
  private SeedLab lab;
  private final ByteArrayOutputStream bytes = new ByteArrayOutputStream();
  private final PrintStream out = new PrintStream(bytes, true, StandardCharsets.UTF_8);

  @BeforeEach
  void setUp() {
    vertx = Vertx.vertx();
    lab = SeedLab.start(vertx, LabSettings.unattended(0), Timeline.printingTo(out)).await();
    await().atMost(Duration.ofSeconds(30)).until(() -> lab.inServiceAndHealthy().size() == 2);
  }

  @AfterEach
  void tearDown() {
    if (lab != null) {
      lab.close().await();
    }
    vertx.close().await();
  }

  private String output() {
    return bytes.toString(StandardCharsets.UTF_8);
  }

  @Test
  void commandsDriveTheSeedExperiment() {
    LabConsole console = new LabConsole(lab, System.in, out);
    List<String> ids = lab.inServiceAndHealthy();
    String broken = ids.get(0);

    assertThat(console.execute("status")).isTrue();
    assertThat(output()).contains("MyASG  health check type PROVIDER (EC2)  min 2  desired 2  max 4")
        .contains(ids.get(0)).contains(ids.get(1)).contains("Recent activities")
        .contains("increasing the capacity from 0 to 2");

    // an id prefix is enough
    assertThat(console.execute("stop-web " + broken.substring(0, 12))).isTrue();
    assertThat(output()).contains("web server of " + broken + " stopped (service httpd stop)");
    await().atMost(Duration.ofSeconds(30)).until(() -> lab.targetHealth(broken).state() == TargetHealth.State.UNHEALTHY);
    assertThat(lab.failedChecksWhenUnhealthy(broken)).isEqualTo(2);
    assertThat(lab.scalingGroup().instance(broken).state()).isEqualTo(InstanceState.IN_SERVICE);
    console.execute("status");
    assertThat(output()).contains("stopped").contains("health check type PROVIDER: the group asks only whether"
        + " instances run");

    assertThat(console.execute("health-type elb")).isTrue();
    assertThat(lab.scalingGroup().healthCheckType()).isEqualTo(HealthCheckType.LOAD_BALANCER);
    await().atMost(Duration.ofSeconds(30)).until(() -> lab.scalingGroup().instance(broken) == null
        && lab.inServiceAndHealthy().size() == 2);

    assertThat(console.execute("desired 9")).isTrue();
    assertThat(output()).contains("error: desiredCapacity: 9 (expected: minSize 2 <= desiredCapacity <= maxSize 4)");
    assertThat(console.execute("desired 0")).isTrue();
    assertThat(lab.scalingGroup().minSize()).isZero();
    await().atMost(Duration.ofSeconds(30)).until(() -> lab.scalingGroup().instances().isEmpty()
        && lab.targetGroup().targets().isEmpty());

    assertThat(console.execute("quit")).isFalse();
  }

  @Test
  void badCommandsAnswerWithHelpOrTheReason() {
    LabConsole console = new LabConsole(lab, System.in, out);

    console.execute("reboot everything");
    assertThat(output()).contains("unknown command: reboot everything").contains(LabConsole.HELP);
    console.execute("stop-web");
    assertThat(output()).contains("error: usage: stop-web <id>");
    console.execute("stop-web i-nope");
    assertThat(output()).contains("error: instanceId: i-nope (expected: one of [");
    console.execute("health-type maybe");
    assertThat(output()).contains("error: health-type: maybe (expected: elb or provider)");
    console.execute("desired many");
    assertThat(output()).contains("error: desired: many (expected: a number 0-4)");
    assertThat(lab.scalingGroup().desiredCapacity()).isEqualTo(2);
  }

  @Test
  void commandsAreReadOnTheirOwnThreadWhileTheGatewayServes() throws Exception {
    PipedOutputStream typing = new PipedOutputStream();
    LabConsole console = new LabConsole(lab, new PipedInputStream(typing), out);
    console.start();

    // the page through the gateway names an instance while the console waits for input
    HttpClient http = vertx.createHttpClient();
    // the body is asked for in the callback that receives the response: a stage chained from this thread can be
    // added after the response has fully arrived, and Vert.x 5.0.7 then never completes it (see docs/architecture.md)
    String page = http.request(HttpMethod.GET, lab.listener().actualPort(), "127.0.0.1", "/")
        .compose(r -> r.send().compose(resp -> resp.body())).await().toString();
    assertThat(page).matches("<h1>i-[0-9a-f]{17}</h1>");
    http.close().await();

    typing.write("status\nquit\n".getBytes(StandardCharsets.UTF_8));
    typing.flush();
    console.awaitQuit();
    assertThat(output()).contains("MyASG  health check type PROVIDER (EC2)");
    typing.close();
  }
}
