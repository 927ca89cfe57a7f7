package dev.loadstar.samples;

import dev.loadstar.samples.microservices.OrdersCommand;
import java.util.function.Function;
import picocli.CommandLine;
import picocli.CommandLine.Command;

/**
 * The {@code loadstar} command line: the seed lab, the gateway from a declarative file, and config validation.
 */
@Command(name = "loadstar", mixinStandardHelpOptions = true, version = "loadstar 0.1.0-SNAPSHOT",
    description = "Embeddable client-side load balancing with ALB semantics.",
    subcommands = {LabCommand.class, GatewayCommand.class, ValidateCommand.class, DemoCommand.class,
        OrdersCommand.class})
public final class Main implements Runnable {

  @CommandLine.Spec
  CommandLine.Model.CommandSpec spec;

  /** Runs the command line and exits with the command's exit code. */
  public static void main(String[] args) {
    int code = run(args);
    System.exit(code);
  }

  /** Runs the command line and returns the exit code (used by tests). */
  public static int run(String... args) {
    return run(System::getenv, args);
  }

  /** As {@link #run(String...)}, with {@code env} resolving the configuration's {@code ${env:NAME}} references. */
  static int run(Function<String, String> env, String... args) {
    CommandLine.IFactory defaults = CommandLine.defaultFactory();
    return new CommandLine(new Main(), new CommandLine.IFactory() {
      @Override
      public <K> K create(Class<K> cls) throws Exception {
        if (cls == ValidateCommand.class) {
          return cls.cast(new ValidateCommand(env));
        }
        return defaults.create(cls);
      }
    }).execute(args);
  }

  @Override
  public void run() {
    spec.commandLine().usage(System.out);
  }
}
