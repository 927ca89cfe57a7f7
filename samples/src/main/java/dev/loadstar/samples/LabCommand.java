package dev.loadstar.samples;

import dev.loadstar.samples.lab.LabConsole;
import dev.loadstar.samples.lab.LabSettings;
import dev.loadstar.samples.lab.SeedLab;
import dev.loadstar.samples.lab.Timeline;
import dev.loadstar.samples.lab.UnattendedLab;
import io.vertx.core.Vertx;
import java.io.PrintStream;
import java.util.concurrent.Callable;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/**
 * The {@code lab} subcommand: the seed's lab, live (commands on stdin) or played by itself ({@code --unattended}).
 */
@Command(name = "lab", mixinStandardHelpOptions = true,
    description = {
        "The seed's lab, live: a scaling group (MyASG) of 2 in-process instances, each page showing its instance id,"
            + " behind a gateway (MyWebALB) forwarding to the target group MyWebTargetGroup, health checked every"
            + " 2 s (unhealthy after 2 failed checks, healthy after 3 passed). Health check type PROVIDER (EC2) at"
            + " first. A timeline prints what happens; refresh the gateway's page in a browser: the instance ids"
            + " alternate.",
        "The admin API and the dashboard run on http://127.0.0.1:9901/ (--admin-port to change it).",
        "--unattended plays the whole lab by itself (checks every 500 ms) while a client sends GETs through the"
            + " gateway, prints a summary table and exits 0 only if every step held."},
    footerHeading = "%nCommands at the lab's prompt (stdin):%n",
    footer = {
        "  status                    instances, health, min/desired/max, activities",
        "  stop-web <id>             stop an instance's web server (service httpd stop)",
        "  start-web <id>            start it again",
        "  health-type elb|provider  the scaling group's health check type",
        "  desired <n>               desired capacity (0 also lowers min to 0)",
        "  help                      the commands",
        "  quit                      terminate the instances and exit"})
final class LabCommand implements Callable<Integer> {

  /** The admin API's default port (as the gateway's). */
  static final int DEFAULT_ADMIN_PORT = 9901;
  private static final String ADMIN_HOST = "127.0.0.1";

  @Option(names = "--port", defaultValue = "8080", paramLabel = "PORT",
      description = "Gateway port on 127.0.0.1 (default: ${DEFAULT-VALUE}; 0 picks a free port).")
  int port;

  @Option(names = "--admin-port", paramLabel = "PORT",
      description = "Admin API and dashboard port on 127.0.0.1 (default: 9901, with --unattended 0; 0 picks a free"
          + " port). Open http://127.0.0.1:PORT/ for the dashboard.")
  Integer adminPort;

  @Option(names = "--admin-token", paramLabel = "TOKEN",
      description = "Bearer token the admin API requires for changes (default: none; reads stay open).")
  String adminToken;

  @Option(names = "--no-admin", description = "Run without the admin API and dashboard.")
  boolean noAdmin;

  @Option(names = "--unattended", description = "Play the whole lab by itself, check every step, print a summary.")
  boolean unattended;

  @Override
  public Integer call() throws Exception {
    if (port < 0 || port > 65535) {
      System.err.println("port: " + port + " (expected: 0-65535)");
      return 2;
    }
    int admin = noAdmin ? -1 : adminPort != null ? adminPort : unattended ? 0 : DEFAULT_ADMIN_PORT;
    if (admin > 65535 || (admin < 0 && !noAdmin)) {
      System.err.println("admin-port: " + admin + " (expected: 0-65535)");
      return 2;
    }
    PrintStream out = System.out;
    Vertx vertx = Vertx.vertx();
    try {
      if (unattended) {
        UnattendedLab run = new UnattendedLab(vertx, LabSettings.unattended(port), out);
        if (admin >= 0) {
          run.withAdmin(ADMIN_HOST, admin, adminToken);
        }
        return run.run();
      }
      return interactive(vertx, out, admin);
    } finally {
      vertx.close().await();
    }
  }

  private int interactive(Vertx vertx, PrintStream out, int admin) throws InterruptedException {
    Timeline timeline = Timeline.printingTo(out);
    SeedLab lab;
    try {
      lab = SeedLab.start(vertx, LabSettings.interactive(port), timeline,
          admin >= 0 ? new SeedLab.AdminOptions(ADMIN_HOST, admin, adminToken) : null).await();
    } catch (RuntimeException e) {
      System.err.println("lab: " + e.getMessage());
      return 1;
    }
    out.println();
    out.println("Open " + lab.gatewayUrl() + " in a browser and refresh: the two instance ids alternate.");
    if (lab.admin() != null) {
      out.println("Dashboard: " + lab.adminUrl() + " (admin API: " + lab.adminUrl() + "api"
          + (lab.admin().tokenRequired() ? "; reads and changes need the bearer token" : "") + ")");
    }
    out.println("Then try the seed's experiment: stop-web <id>, watch the timeline, status, health-type elb,"
        + " desired 0, quit.");
    out.println(LabConsole.HELP);
    out.println();
    LabConsole console = new LabConsole(lab, System.in, out);
    CountDownLatch closed = new CountDownLatch(1);
    Thread hook = new Thread(() -> {
      console.quit();
      try {
        closed.await(10, TimeUnit.SECONDS);
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
      }
    }, "lab-shutdown");
    Runtime.getRuntime().addShutdownHook(hook);
    try {
      console.start();
      console.awaitQuit();
      timeline.record("lab", "quitting: terminating the instances");
      lab.close().await();
      timeline.record("lab", "stopped");
    } finally {
      closed.countDown();
      try {
        Runtime.getRuntime().removeShutdownHook(hook);
      } catch (IllegalStateException e) {
        // already shutting down
      }
    }
    return 0;
  }
}
