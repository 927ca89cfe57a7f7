package dev.loadstar.samples;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.Arrays;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;

/** The {@code lab} command through the real command line, in this JVM. */
class LabCommandTest {

  @Test
  void unattendedLabHoldsEveryStepWithZeroFailedClientRequests() {
    CommandRun run = CommandRun.of("lab", "--unattended", "--port", "0");

    assertThat(run.exitCode()).as(run.out()).isZero();
    String out = run.out();
    // the summary: six steps, each held, none with a failed client request
    List<String> rows = Arrays.stream(out.split("\n")).filter(l -> l.matches(" [1-6] {2}.*")).toList();
    assertThat(rows).hasSize(6).allMatch(r -> r.matches(".* \\d+ +0 +PASS"));
    assertThat(out).contains("All 6 steps held.");
    Matcher client = Pattern.compile("Client: (\\d+) GETs through MyWebALB, (\\d+) failed").matcher(out);
    assertThat(client.find()).isTrue();
    assertThat(Integer.parseInt(client.group(1))).isGreaterThan(20);
    assertThat(client.group(2)).isEqualTo("0");
    // the seed's experiment, step by step
    assertThat(out).containsPattern("happened: 10 pages alternated: (i-[0-9a-f]{17} ){9}i-[0-9a-f]{17}\\n");
    assertThat(out).containsPattern("i-[0-9a-f]{17} unhealthy after 2 failed checks;");
    assertThat(out).containsPattern("check failed \\(Target.FailedHealthChecks: Health checks failed: connection"
        + " refused\\), 2 in a row: unhealthy after 2 failed checks");
    assertThat(out).containsPattern("is InService / Healthy, 0 termination\\(s\\)");
    assertThat(out).contains("an instance was taken out of service in response to an ELB health check failure");
    assertThat(out).contains("terminate WaitingForELBConnectionDraining: Terminating instance: i-");
    assertThat(out).contains("an instance was started in response to a difference between desired and actual"
        + " capacity, increasing the capacity from 1 to 2");
    assertThat(out).contains("3 terminations in all, all Successful");
    assertThat(out).contains("MyWebTargetGroup has 0 targets");
    // the admin API and dashboard run alongside (port 0 by default when unattended)
    assertThat(out).containsPattern("admin +admin API on http://127.0.0.1:\\d+/api, dashboard on "
        + "http://127.0.0.1:\\d+/\n");
    // the timeline carries times relative to the start
    assertThat(out).containsPattern("\\[\\+ +\\d+\\.\\d{3}s] gateway +MyWebALB listening on http://127.0.0.1:\\d+");
  }

  @Test
  void helpListsThePromptCommandsAndOptions() {
    CommandRun run = CommandRun.of("lab", "--help");

    assertThat(run.exitCode()).isZero();
    assertThat(run.out()).contains("--unattended", "--port=PORT", "--admin-port=PORT", "--admin-token=TOKEN",
        "--no-admin", "stop-web <id>", "health-type elb|provider",
        "desired <n>", "status", "quit");
  }

  @Test
  void adminPortOutOfRangeIsRejected() {
    CommandRun run = CommandRun.of("lab", "--admin-port", "70000");

    assertThat(run.exitCode()).isEqualTo(2);
    assertThat(run.err()).contains("admin-port: 70000 (expected: 0-65535)");
  }

  @Test
  void portOutOfRangeIsRejected() {
    CommandRun run = CommandRun.of("lab", "--port", "70000");

    assertThat(run.exitCode()).isEqualTo(2);
    assertThat(run.err()).contains("port: 70000 (expected: 0-65535)");
  }
}
