package dev.loadstar.samples;

import java.util.concurrent.Callable;
import picocli.CommandLine.Command;

/**
 * The {@code gateway} subcommand (not built yet).
 */
@Command(name = "gateway", mixinStandardHelpOptions = true, description = "Not built yet.")
final class GatewayCommand implements Callable<Integer> {

  @Override
  public Integer call() {
    System.err.println("gateway: not built yet");
    return 2;
  }
}
