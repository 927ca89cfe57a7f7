package dev.loadstar.samples.lab;

import dev.loadstar.core.TargetHealth;
import dev.loadstar.scaling.HealthCheckType;
import dev.loadstar.scaling.Instance;
import dev.loadstar.scaling.InstanceState;
import dev.loadstar.scaling.ScalingActivity;
import dev.loadstar.scaling.ScalingActivityStatus;
import dev.loadstar.scaling.ScalingGroup;
import io.vertx.core.Vertx;
import java.io.PrintStream;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import java.util.function.BooleanSupplier;
import java.util.stream.Collectors;

/**
 * Plays the seed's lab by itself while a {@link LabClient} refreshes the gateway's page all along, checks what each
 * step should show, and prints the timeline and a summary table. Runs on the caller's thread, which must not be a
 * Vert.x event loop (it waits for conditions).
 */
public final class UnattendedLab {

  /**
   * One step's verdict.
   *
   * @param number the step number
   * @param name what the step does
   * @param expected what should happen
   * @param happened what happened
   * @param requests the client's requests sent during the step
   * @param failedRequests the client's failed requests during the step
   * @param ok whether every expectation held (no failed request included)
   */
  public record Step(int number, String name, String expected, String happened, long requests, long failedRequests,
      boolean ok) {
  }

  /** A step's expectation did not hold: the step ends here with this description of what happened. */
  private static final class Unmet extends RuntimeException {
    Unmet(String happened) {
      super(happened, null, false, false);
    }
  }

  /** How long any one condition may take before the step fails. */
  static final Duration STEP_TIMEOUT = Duration.ofSeconds(30);
  private static final String[] NAMES = {
      "two instances behind the gateway, pages alternate",
      "stop-web on one instance (health check type PROVIDER)",
      "the scaling group does nothing (PROVIDER = EC2 health)",
      "health-type elb: the scaling group replaces the instance",
      "the replacement registers, turns healthy, alternation resumes",
      "desired 0: every instance drains and terminates",
  };

  private final String[] expectations = {
      "both instances launch, register and turn healthy; refreshing the page alternates between their ids",
      "the target turns unhealthy after exactly 2 failed checks; the client sees no failed request (passive"
          + " detection and a retry on the other instance hide the dead web server, where the seed saw 502s)",
      "the instance is running, so the group keeps it InService and Healthy while checks keep failing: no activity",
      "the group takes the instance out of service in response to an ELB health check failure, drains and"
          + " terminates it",
      "a new instance launches (desired 2, actual 1), registers, turns healthy; pages alternate between the"
          + " survivor and the replacement",
      "the client stops; with min and desired 0 every instance drains and terminates; the target group is empty",
  };

  private final Vertx vertx;
  private final LabSettings settings;
  private final PrintStream out;
  private final List<Step> steps = new ArrayList<>();
  private Timeline timeline;
  private SeedLab lab;
  private LabClient client;
  private String broken;
  private String survivor;
  private String replacement;
  private String adminHost;
  private int adminPort = -1;
  private String adminToken;

  /** An unattended run on {@code vertx} with these settings, printing to {@code out}. */
  public UnattendedLab(Vertx vertx, LabSettings settings, PrintStream out) {
    this.vertx = vertx;
    this.settings = settings;
    this.out = out;
  }

  /**
   * Also serves the admin API and dashboard on {@code host:port} (0 picks a free port) while the lab runs; the
   * timeline prints the address. {@code token} (null for none) guards changes.
   */
  public UnattendedLab withAdmin(String host, int port, String token) {
    this.adminHost = host;
    this.adminPort = port;
    this.adminToken = token;
    return this;
  }

  /** Runs the whole lab; returns 0 when every expectation held, 1 otherwise. Releases everything it started. */
  public int run() {
    timeline = Timeline.printingTo(out);
    timeline.record("lab", "unattended seed lab: every step is played and checked while a client sends GETs through"
        + " the gateway all along");
    try {
      lab = SeedLab.start(vertx, settings, timeline,
          adminPort >= 0 ? new SeedLab.AdminOptions(adminHost, adminPort, adminToken) : null).await();
      client = new LabClient(vertx, settings.host(), lab.listener().actualPort(), 5, timeline);
      play(1, this::alternation);
      play(2, this::stopWeb);
      play(3, this::providerDoesNothing);
      play(4, this::switchToElb);
      play(5, this::replacementServes);
      play(6, this::desiredZero);
    } catch (RuntimeException e) {
      timeline.record("lab", "the lab failed: " + e);
    } finally {
      if (client != null) {
        client.close().await();
      }
      if (lab != null) {
        lab.close().await();
      }
    }
    return summary();
  }

  /** The steps played so far. */
  public List<Step> steps() {
    return List.copyOf(steps);
  }

  @FunctionalInterface
  private interface StepBody {
    /** Runs the step; returns {@code {expected, happened}}; throws {@link Unmet} when an expectation failed. */
    String[] run(String label);
  }

  private void play(int n, StepBody body) {
    if (steps.size() != n - 1 || (!steps.isEmpty() && !steps.get(steps.size() - 1).ok())) {
      steps.add(new Step(n, NAMES[n - 1], "-", "not run (an earlier step failed)", 0, 0, false));
      return;
    }
    String label = Integer.toString(n);
    client.step(label);
    timeline.record("step", n + ". " + NAMES[n - 1]);
    String[] result;
    boolean ok = true;
    try {
      result = body.run(label);
    } catch (Unmet u) {
      result = new String[] {expectations[n - 1], u.getMessage()};
      ok = false;
    }
    long failed = client.failures(label);
    long requests = client.requests(label);
    steps.add(new Step(n, NAMES[n - 1], result[0], result[1], requests, failed, ok && failed == 0));
    timeline.record("step", n + ". " + (ok && failed == 0 ? "held" : "FAILED") + ": " + result[1]
        + (failed > 0 ? " (" + failed + " failed client requests)" : ""));
  }


  private String[] alternation(String label) {
    waitUntil("2 instances InService and healthy", () -> lab.inServiceAndHealthy().size() == 2);
    List<String> ids = lab.inServiceAndHealthy();
    client.start();
    waitUntil("10 pages", () -> client.count() >= 10);
    List<LabClient.Result> pages = client.since(0).subList(0, 10);
    String seen = pages.stream().map(r -> r.instanceId() == null ? r.error() : r.instanceId())
        .collect(Collectors.joining(" "));
    if (!alternates(pages, Set.copyOf(ids))) {
      throw new Unmet("pages did not alternate between " + ids + ": " + seen);
    }
    broken = ids.get(0);
    survivor = ids.get(1);
    return new String[] {expectations[0], "10 pages alternated: " + seen};
  }

  private String[] stopWeb(String label) {
    int transitions = lab.unhealthyTransitions(broken);
    lab.stopWebServer(broken).await();
    waitUntil("the active checks to find " + broken + " unhealthy and the group to show it",
        () -> lab.unhealthyTransitions(broken) > transitions
            && lab.targetHealth(broken).state() == TargetHealth.State.UNHEALTHY);
    int n = lab.failedChecksWhenUnhealthy(broken);
    int expected = settings.healthCheck().unhealthyThresholdCount();
    String happened = broken + " unhealthy after " + n + " failed checks; the group shows it "
        + shortHealth(lab.targetHealth(broken)) + "; the gateway retried " + lab.listener().stats().retries()
        + " request(s) on the other instance, 502s: " + lab.listener().stats().elbResponses(502);
    if (n != expected) {
      throw new Unmet(happened + " (expected exactly " + expected + ")");
    }
    return new String[] {expectations[1], happened};
  }

  private String[] providerDoesNothing(String label) {
    int before = lab.failedChecks(broken);
    waitUntil("3 more failed checks of " + broken, () -> lab.failedChecks(broken) >= before + 3);
    ScalingGroup asg = lab.scalingGroup();
    Instance i = asg.instance(broken);
    long terminations = asg.activities().stream().filter(a -> a.kind() == ScalingActivity.Kind.TERMINATE).count();
    String happened = "after " + (lab.failedChecks(broken) - before) + " more failed checks " + broken + " is "
        + (i == null ? "gone" : i.state().apiName() + " / " + i.healthStatus()) + ", " + terminations
        + " termination(s); its target is " + shortHealth(lab.targetHealth(broken));
    if (i == null || i.state() != InstanceState.IN_SERVICE || !i.healthy() || terminations != 0) {
      throw new Unmet(happened);
    }
    return new String[] {expectations[2], happened};
  }

  private String[] switchToElb(String label) {
    lab.setHealthCheckType(HealthCheckType.LOAD_BALANCER).await();
    waitUntil("the termination of " + broken, () -> activity(ScalingActivity.Kind.TERMINATE, broken)
        .map(a -> a.status().isDone()).orElse(false) && lab.scalingGroup().instance(broken) == null);
    ScalingActivity t = activity(ScalingActivity.Kind.TERMINATE, broken).orElseThrow();
    String happened = "activity " + t.status().apiName() + ": " + t.description() + "; cause: " + t.cause();
    if (t.status() != ScalingActivityStatus.SUCCESSFUL
        || !t.cause().contains("an instance was taken out of service in response to an ELB health check failure")
        || lab.provider().isRunning(broken) || lab.targetGroup().target(broken) != null) {
      throw new Unmet(happened);
    }
    return new String[] {expectations[3], happened};
  }

  private String[] replacementServes(String label) {
    waitUntil("a replacement InService and healthy", () -> {
      List<String> healthy = lab.inServiceAndHealthy();
      return healthy.size() == 2 && healthy.contains(survivor) && !healthy.contains(broken);
    });
    replacement = lab.inServiceAndHealthy().stream().filter(id -> !id.equals(survivor)).findFirst().orElseThrow();
    int mark = client.count();
    waitUntil("10 more pages", () -> client.count() >= mark + 12);
    List<LabClient.Result> pages = client.since(mark + 2).subList(0, 10);
    ScalingActivity launch = activity(ScalingActivity.Kind.LAUNCH, replacement).orElseThrow();
    String seen = pages.stream().map(r -> r.instanceId() == null ? r.error() : r.instanceId())
        .collect(Collectors.joining(" "));
    String happened = replacement + " launched (" + launch.status().apiName() + "; cause: " + launch.cause()
        + "), registered, healthy; 10 pages: " + seen;
    if (launch.status() != ScalingActivityStatus.SUCCESSFUL
        || !launch.cause().contains("in response to a difference between desired and actual capacity")
        || !alternates(pages, Set.of(survivor, replacement))) {
      throw new Unmet(happened);
    }
    return new String[] {expectations[4], happened};
  }

  private String[] desiredZero(String label) {
    client.stop().await();
    lab.setDesiredCapacity(0).await();
    waitUntil("every instance terminated", () -> lab.scalingGroup().instances().isEmpty()
        && lab.targetGroup().targets().isEmpty());
    List<ScalingActivity> terminations = lab.scalingGroup().activities().stream()
        .filter(a -> a.kind() == ScalingActivity.Kind.TERMINATE).toList();
    boolean allDone = terminations.stream().allMatch(a -> a.status() == ScalingActivityStatus.SUCCESSFUL);
    boolean gone = !lab.provider().isRunning(survivor) && !lab.provider().isRunning(replacement);
    String happened = terminations.size() + " terminations in all, " + (allDone ? "all Successful" : "not all"
        + " Successful") + "; " + survivor + " and " + replacement + (gone ? " terminated" : " still running")
        + "; " + SeedLab.TARGET_GROUP + " has " + lab.targetGroup().targets().size() + " targets";
    if (!allDone || !gone || terminations.size() != 3) {
      throw new Unmet(happened);
    }
    return new String[] {expectations[5], happened};
  }

  private Optional<ScalingActivity> activity(ScalingActivity.Kind kind, String instanceId) {
    return lab.scalingGroup().activities().stream().filter(a -> a.kind() == kind && instanceId.equals(a.instanceId()))
        .reduce((a, b) -> b);
  }

  /** Whether every page is a 200 naming one of {@code ids}, consecutive pages differ and every id appears. */
  static boolean alternates(List<LabClient.Result> pages, Set<String> ids) {
    Set<String> seen = new HashSet<>();
    String previous = null;
    for (LabClient.Result r : pages) {
      if (r.failed() || !ids.contains(r.instanceId()) || r.instanceId().equals(previous)) {
        return false;
      }
      seen.add(r.instanceId());
      previous = r.instanceId();
    }
    return seen.equals(ids);
  }

  private static String shortHealth(TargetHealth h) {
    return h.state().apiName() + (h.reason() != null ? " (" + h.reason().code() + ")" : "");
  }

  /** Waits on this (non-event-loop) thread until the condition holds; fails the step after {@link #STEP_TIMEOUT}. */
  private static void waitUntil(String what, BooleanSupplier condition) {
    long deadline = System.nanoTime() + STEP_TIMEOUT.toNanos();
    while (!condition.getAsBoolean()) {
      if (System.nanoTime() > deadline) {
        throw new Unmet("timed out after " + STEP_TIMEOUT.toSeconds() + " s waiting for " + what);
      }
      try {
        Thread.sleep(10);
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        throw new Unmet("interrupted while waiting for " + what);
      }
    }
  }

  private int summary() {
    Duration took = timeline.elapsed();
    long total = client == null ? 0 : client.results().size();
    long failed = client == null ? 0 : client.failures();
    out.println();
    out.printf("Summary of the unattended seed lab (%.1f s)%n", took.toMillis() / 1000.0);
    out.printf(" %-2s %-62s %8s %7s  %s%n", "#", "step", "requests", "failed", "result");
    for (Step s : steps) {
      out.printf(" %-2d %-62s %8d %7d  %s%n", s.number(), s.name(), s.requests(), s.failedRequests(),
          s.ok() ? "PASS" : "FAIL");
      out.println("      expected: " + s.expected());
      out.println("      happened: " + s.happened());
    }
    boolean all = steps.size() == NAMES.length && steps.stream().allMatch(Step::ok);
    out.printf("Client: %d GETs through %s, %d failed%s%n", total, SeedLab.LOAD_BALANCER, failed,
        lab == null ? "" : " (the gateway retried " + lab.listener().stats().retries() + " on the other instance, "
            + "answered 502 " + lab.listener().stats().elbResponses(502) + " times)");
    long held = steps.stream().filter(Step::ok).count();
    out.println(all ? "All " + NAMES.length + " steps held." : (NAMES.length - held) + " of " + NAMES.length
        + " steps did not hold.");
    out.flush();
    return all && failed == 0 ? 0 : 1;
  }
}
