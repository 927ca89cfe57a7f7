package dev.loadstar.samples;

import java.util.concurrent.Callable;
import picocli.CommandLine.Command;

/**
 * The {@code validate} subcommand (not built yet).
 */
@Command(name = "validate", mixinStandardHelpOptions = true, description = "Not built yet.")
final class ValidateCommand implements Callable<Integer> {

  @Override
  public Integer call() {
    System.err.println("validate: not built yet");
    return 2;
  }
}
