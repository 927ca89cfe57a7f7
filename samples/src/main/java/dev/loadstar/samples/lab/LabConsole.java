package dev.loadstar.samples.lab;

import dev.loadstar.scaling.HealthCheckType;
import io.vertx.core.Future;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStream;
import java.io.InputStreamReader;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.util.Locale;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;

/**
 * The interactive lab's prompt: reads commands from an input stream on its own thread (never on an event loop) and
 * applies them to a {@link SeedLab}. {@link #awaitQuit()} returns after {@code quit} or the end of the input.
 */
public final class LabConsole {

  /** The commands, as {@code help} prints them. */
  public static final String HELP = String.join("\n",
      "Commands:",
      "  status                     instances, their health, min/desired/max, recent activities",
      "  stop-web <id>              stop an instance's web server (the seed's 'service httpd stop'); an id prefix will do",
      "  start-web <id>             start it again ('service httpd start')",
      "  health-type elb|provider   the scaling group's health check type (ELB = LOAD_BALANCER, EC2 = PROVIDER)",
      "  desired <n>                desired capacity (0 also lowers min to 0: the seed's clean-up)",
      "  help                       this list",
      "  quit                       stop everything and exit");

  private static final long COMMAND_TIMEOUT_SECONDS = 30;

  private final SeedLab lab;
  private final InputStream in;
  private final PrintStream out;
  private final CountDownLatch quit = new CountDownLatch(1);
  private Thread thread;

  /** A console for the lab reading {@code in} and answering on {@code out}. */
  public LabConsole(SeedLab lab, InputStream in, PrintStream out) {
    this.lab = lab;
    this.in = in;
    this.out = out;
  }

  /** Starts reading commands on a dedicated daemon thread. */
  public synchronized void start() {
    if (thread == null) {
      thread = new Thread(this::readLoop, "lab-console");
      thread.setDaemon(true);
      thread.start();
    }
  }

  /** Blocks until {@code quit} was typed or the input ended. */
  public void awaitQuit() throws InterruptedException {
    quit.await();
  }

  /** Ends {@link #awaitQuit()} (e.g. from a shutdown hook). */
  public void quit() {
    quit.countDown();
  }

  private void readLoop() {
    try (BufferedReader r = new BufferedReader(new InputStreamReader(in, StandardCharsets.UTF_8))) {
      String line;
      boolean quitTyped = false;
      while (quit.getCount() > 0 && (line = r.readLine()) != null) {
        if (!execute(line)) {
          quitTyped = true;
          break;
        }
      }
      if (!quitTyped && quit.getCount() > 0) {
        println("(end of input: quitting)");
      }
    } catch (IOException e) {
      println("cannot read commands: " + e.getMessage());
    } finally {
      quit.countDown();
    }
  }

  /** Runs one command line; returns false for {@code quit}. Public for tests and other front ends. */
  public boolean execute(String line) {
    String[] words = line.trim().split("\\s+");
    String command = words[0].toLowerCase(Locale.ROOT);
    try {
      switch (command) {
        case "" -> {
          return true;
        }
        case "quit", "exit" -> {
          return false;
        }
        case "status" -> print(lab.status());
        case "help", "?" -> println(HELP);
        case "stop-web" -> await(lab.stopWebServer(lab.resolveInstance(argument(words, "stop-web <id>"))));
        case "start-web" -> await(lab.startWebServer(lab.resolveInstance(argument(words, "start-web <id>"))));
        case "health-type" -> {
          HealthCheckType type = switch (argument(words, "health-type elb|provider").toLowerCase(Locale.ROOT)) {
            case "elb", "load_balancer", "load-balancer" -> HealthCheckType.LOAD_BALANCER;
            case "provider", "ec2" -> HealthCheckType.PROVIDER;
            default -> throw new IllegalArgumentException("health-type: " + words[1] + " (expected: elb or provider)");
          };
          await(lab.setHealthCheckType(type));
        }
        case "desired" -> {
          String n = argument(words, "desired <n>");
          int desired;
          try {
            desired = Integer.parseInt(n);
          } catch (NumberFormatException e) {
            throw new IllegalArgumentException("desired: " + n + " (expected: a number 0-" + SeedLab.MAX_SIZE + ")");
          }
          await(lab.setDesiredCapacity(desired));
        }
        default -> println("unknown command: " + line.trim() + "\n" + HELP);
      }
    } catch (RuntimeException e) {
      println("error: " + (e.getMessage() != null ? e.getMessage() : e.toString()));
    }
    return true;
  }

  private static String argument(String[] words, String usage) {
    if (words.length < 2) {
      throw new IllegalArgumentException("usage: " + usage);
    }
    return words[1];
  }

  private static <T> T await(Future<T> f) {
    try {
      return f.toCompletionStage().toCompletableFuture().get(COMMAND_TIMEOUT_SECONDS, TimeUnit.SECONDS);
    } catch (java.util.concurrent.ExecutionException e) {
      Throwable cause = e.getCause();
      throw cause instanceof RuntimeException re ? re : new IllegalStateException(cause.getMessage(), cause);
    } catch (java.util.concurrent.TimeoutException e) {
      throw new IllegalStateException("no answer within " + COMMAND_TIMEOUT_SECONDS + " s");
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IllegalStateException("interrupted");
    }
  }

  private void println(String s) {
    out.println(s);
    out.flush();
  }

  private void print(String s) {
    out.print(s);
    out.flush();
  }
}
