package dev.loadstar.samples;

import dev.loadstar.core.config.Checks;
import dev.loadstar.gateway.config.ConfigError;
import dev.loadstar.gateway.config.GatewayConfig;
import java.io.PrintWriter;
import java.nio.file.Path;
import java.util.concurrent.Callable;
import java.util.function.Function;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/**
 * The {@code validate} subcommand: checks a gateway configuration file and prints every error.
 */
@Command(name = "validate", mixinStandardHelpOptions = true,
    description = {"Checks a gateway configuration file (YAML or JSON) and prints every error, one per line, as "
        + "file:line:column: path: value (expected: ...).",
        "Exit code 0 when the file is valid, 1 when it has errors."})
final class ValidateCommand implements Callable<Integer> {

  @Spec
  CommandSpec spec;

  private final Function<String, String> env;

  ValidateCommand() {
    this(System::getenv);
  }

  ValidateCommand(Function<String, String> env) {
    this.env = env;
  }

  @Option(names = {"-c", "--config"}, required = true, paramLabel = "FILE",
      description = "The configuration file (.yaml, .yml or .json).")
  Path config;

  @Override
  public Integer call() {
    PrintWriter out = spec.commandLine().getOut();
    PrintWriter err = spec.commandLine().getErr();
    GatewayConfig.Result r = GatewayConfig.read(config, env);
    if (r.errors().isEmpty()) {
      GatewayConfig c = r.config();
      out.println(config + ": valid (" + c.listeners().size() + " listeners, " + c.targetGroups().size()
          + " target groups, " + c.scalingGroups().size() + " scaling groups)");
      out.flush();
      return 0;
    }
    for (ConfigError e : r.errors()) {
      err.println(e);
    }
    err.println(r.errors().size() + (r.errors().size() == 1 ? " error" : " errors"));
    err.flush();
    return 1;
  }
}
