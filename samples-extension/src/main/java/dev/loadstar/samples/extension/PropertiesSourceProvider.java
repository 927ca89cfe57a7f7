package dev.loadstar.samples.extension;

import dev.loadstar.core.config.Checks;
import dev.loadstar.core.config.Durations;
import dev.loadstar.core.config.Params;
import dev.loadstar.core.discovery.TargetSource;
import dev.loadstar.core.spi.ProviderContext;
import dev.loadstar.core.spi.TargetSourceProvider;
import java.time.Duration;

/**
 * The {@code properties} discovery source: targets listed in a Java properties file, one per line,
 * {@code <id> = <host>:<port> [weight=<n>] [zone=<zone>]}, re-read every {@code pollInterval}.
 *
 * <p>Parameters: {@code path} (required), {@code pollInterval} (a duration, default {@code 5s}).
 */
public final class PropertiesSourceProvider implements TargetSourceProvider {

  /** The source type. */
  public static final String TYPE = "properties";
  /** How often the file is read by default. */
  public static final Duration DEFAULT_POLL_INTERVAL = Duration.ofSeconds(5);

  /** For the {@code ServiceLoader}. */
  public PropertiesSourceProvider() {
  }

  @Override
  public String name() {
    return TYPE;
  }

  @Override
  public TargetSource create(ProviderContext context) {
    Params params = context.params();
    String path = Checks.notBlank("path", params.string("path"));
    Duration poll = params.duration("pollInterval");
    params.rejectUnknown();
    return new PropertiesSource(path, poll == null ? DEFAULT_POLL_INTERVAL : Durations.positive("pollInterval", poll));
  }
}
