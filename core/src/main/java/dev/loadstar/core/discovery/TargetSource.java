package dev.loadstar.core.discovery;

import dev.loadstar.core.Target;
import dev.loadstar.core.internal.discovery.DnsTargetSource;
import dev.loadstar.core.internal.discovery.FileTargetSource;
import dev.loadstar.core.internal.discovery.StaticTargetSource;
import dev.loadstar.core.internal.discovery.TargetSources;
import dev.loadstar.core.spi.ProviderContext;
import io.vertx.core.Future;
import io.vertx.core.json.JsonObject;
import java.util.Arrays;
import java.util.Collection;

/**
 * Where a target group's targets come from: a fixed list, DNS, a file, a cluster API. A source is a validated,
 * reusable description; {@link #start} begins discovering for one group and reports complete answers to the
 * {@link TargetSourceContext} until the returned {@link Subscription} is closed.
 *
 * <p>Built-ins are available through the static factories and by type name ({@code static}, {@code dns},
 * {@code file}) through {@link #create}; more types plug in through
 * {@link dev.loadstar.core.spi.TargetSourceProvider}.
 */
public interface TargetSource {

  /** The type name this source is configured by, e.g. {@code dns}. */
  String type();

  /**
   * Starts discovering: the source reports every complete answer with {@link TargetSourceContext#update} and
   * every failed attempt with {@link TargetSourceContext#fail}, and retries on its own schedule. Called once per
   * group on the discovery's Vert.x context; must not block. Timers set here run on that context.
   */
  Subscription start(TargetSourceContext context);

  /** A running source for one group: closing it stops its timers, watches and clients. */
  @FunctionalInterface
  interface Subscription {
    /** Stops discovering and releases what the source holds; idempotent. */
    Future<Void> close();
  }

  /** The {@code static} source: a fixed list of targets, reported once. */
  static TargetSource staticTargets(Collection<Target> targets) {
    return new StaticTargetSource(targets);
  }

  /** The {@code static} source: a fixed list of targets, reported once. */
  static TargetSource staticTargets(Target... targets) {
    return new StaticTargetSource(Arrays.asList(targets));
  }

  /** The {@code dns} source: A, AAAA or SRV records, re-resolved on their TTL; validates the options. */
  static TargetSource dns(DnsSourceOptions options) {
    return new DnsTargetSource(options);
  }

  /** The {@code file} source: a JSON or YAML file of targets, re-read when it changes; validates the options. */
  static TargetSource file(FileSourceOptions options) {
    return new FileTargetSource(options);
  }

  /**
   * A source of the given type made from its parameters (a declarative configuration's entry without
   * {@code type} and {@code name}): built-ins first, then {@code ServiceLoader} providers. Fails with
   * {@code name: value (expected: ...)} naming the bad parameter, or the type when no provider knows it.
   */
  static TargetSource create(String type, JsonObject params) {
    return TargetSources.REGISTRY.create(type, new ProviderContext(params));
  }
}
