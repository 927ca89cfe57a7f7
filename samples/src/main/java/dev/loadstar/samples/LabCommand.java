package dev.loadstar.samples;

import java.util.concurrent.Callable;
import picocli.CommandLine.Command;

/**
 * The {@code lab} subcommand (not built yet).
 */
@Command(name = "lab", mixinStandardHelpOptions = true, description = "Not built yet.")
final class LabCommand implements Callable<Integer> {

  @Override
  public Integer call() {
    System.err.println("lab: not built yet");
    return 2;
  }
}
