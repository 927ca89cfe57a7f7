package dev.loadstar.samples.extension;

import dev.loadstar.core.Target;
import dev.loadstar.core.config.InvalidValueException;
import dev.loadstar.core.config.Params;
import dev.loadstar.core.discovery.TargetSource;
import dev.loadstar.core.discovery.TargetSourceContext;
import dev.loadstar.core.time.TimeSource;
import io.vertx.core.Future;
import java.io.IOException;
import java.io.StringReader;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Properties;
import java.util.TreeSet;

/**
 * Reads a properties file of targets every poll interval and reports the complete list each time it reads it; a
 * file that cannot be read or parsed is a failure (the group keeps the last good list). Timers are set on the
 * discovery's {@link TimeSource}, so a test's manual time drives the polls.
 */
final class PropertiesSource implements TargetSource {

  private static final String EXPECTED = "<host>:<port> [weight=<n>] [zone=<zone>]";

  private final String path;
  private final Duration pollInterval;

  PropertiesSource(String path, Duration pollInterval) {
    this.path = path;
    this.pollInterval = pollInterval;
  }

  @Override
  public String type() {
    return PropertiesSourceProvider.TYPE;
  }

  @Override
  public Subscription start(TargetSourceContext context) {
    Poller poller = new Poller(context);
    poller.poll();
    return poller::close;
  }

  @Override
  public String toString() {
    return "properties file " + path;
  }

  /** The targets of a properties file's text, in id order. */
  List<Target> parse(String text) {
    Properties p = new Properties();
    try {
      p.load(new StringReader(text));
    } catch (IOException | IllegalArgumentException e) {
      throw new IllegalArgumentException(path + ": " + e.getMessage(), e);
    }
    List<Target> targets = new ArrayList<>();
    for (String id : new TreeSet<>(p.stringPropertyNames())) {
      try {
        targets.add(target(id, p.getProperty(id).trim()));
      } catch (InvalidValueException e) {
        throw new IllegalArgumentException(path + ": " + e.getMessage(), e);
      }
    }
    return targets;
  }

  private Target target(String id, String value) {
    String[] parts = value.split("\\s+");
    int colon = parts[0].lastIndexOf(':');
    try {
      if (colon <= 0) {
        throw new InvalidValueException(id, Params.render(value), EXPECTED);
      }
      Target.Builder b = Target.builder(id, parts[0].substring(0, colon), Integer.parseInt(parts[0].substring(colon + 1)));
      for (int i = 1; i < parts.length; i++) {
        if (parts[i].startsWith("weight=")) {
          b.weight(Integer.parseInt(parts[i].substring("weight=".length())));
        } else if (parts[i].startsWith("zone=")) {
          b.zone(parts[i].substring("zone=".length()));
        } else {
          throw new InvalidValueException(id, Params.render(value), EXPECTED);
        }
      }
      return b.build();
    } catch (NumberFormatException e) {
      throw new InvalidValueException(id, Params.render(value), EXPECTED);
    } catch (InvalidValueException e) {
      throw e.field().equals(id) ? e : e.within(id);
    }
  }

  /** Polling for one group, on the discovery's context and time source. */
  private final class Poller {
    private final TargetSourceContext context;
    private final TimeSource time;
    private volatile boolean closed;
    private long timer = -1;

    Poller(TargetSourceContext context) {
      this.context = context;
      this.time = context.time();
    }

    void poll() {
      timer = -1;
      if (closed) {
        return;
      }
      context.vertx().fileSystem().readFile(path).map(buffer -> parse(buffer.toString())).onComplete(ar -> {
        if (closed) {
          return;
        }
        if (ar.succeeded()) {
          context.update(ar.result(), pollInterval);
        } else {
          context.fail(ar.cause(), pollInterval);
        }
        timer = time.setTimer(pollInterval.toMillis(), this::poll);
      });
    }

    Future<Void> close() {
      closed = true;
      if (timer >= 0) {
        time.cancelTimer(timer);
      }
      return Future.succeededFuture();
    }
  }
}
