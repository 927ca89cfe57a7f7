package dev.loadstar.gateway.admin;

import dev.loadstar.core.TargetGroup;
import dev.loadstar.healthcheck.HealthCheck;
import dev.loadstar.routing.RuleSet;
import dev.loadstar.scaling.ScalingGroup;
import dev.loadstar.gateway.config.GatewayConfig;
import io.vertx.core.Future;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.function.Function;

/**
 * What the admin API shows and changes: target groups, listeners with their rules, scaling groups and, for a lab,
 * its controls. The gateway built from a configuration file implements it ({@code GatewayRuntime}); so can anything
 * else that assembles groups and listeners in code.
 *
 * <p>Methods are called on the admin server's event loop for every request: return current values without blocking.
 */
public interface AdminModel {

  /**
   * A listener as the admin API lists it.
   *
   * @param name the listener name
   * @param protocol {@code HTTP} or {@code TCP}
   * @param host the bound address
   * @param port the bound port
   * @param rules the rules of an HTTP listener, else null
   * @param targetGroup the target group of a TCP listener, else null
   */
  record ListenerInfo(String name, String protocol, String host, int port, RuleSet rules, String targetGroup) {
  }

  /** The target groups by name, in a stable order. */
  Map<String, TargetGroup> targetGroups();

  /** The active health check settings of a group (its {@code HealthCheckPort} appears in describe-target-health). */
  default HealthCheck healthCheck(String targetGroup) {
    return HealthCheck.defaults();
  }

  /** The listeners, in a stable order. */
  List<ListenerInfo> listeners();

  /** The scaling groups by name, in a stable order. */
  Map<String, ScalingGroup> scalingGroups();

  /**
   * Why the gateway cannot take traffic now ({@code "starting"}, {@code "stopping"}), or null when it can: the admin
   * API's {@code /ready} answers 503 with this reason, else 200.
   */
  default String notReadyReason() {
    return null;
  }

  /**
   * Reads the configuration file again and applies it ({@code POST /api/reload}); completes with the changes made,
   * fails with a {@link dev.loadstar.gateway.config.ConfigException} listing every error (nothing changed). A model
   * without a file fails with {@link UnsupportedOperationException} (409).
   */
  default Future<List<String>> reload() {
    return Future.failedFuture(new UnsupportedOperationException("this gateway has no configuration file to reload"));
  }

  /**
   * Applies an edit of the running configuration (the admin API's rule, attribute and health check changes): the
   * edit gets the current configuration and returns the changed one or its errors; edits and reloads run one after
   * another. A model without a configuration fails with {@link UnsupportedOperationException} (409).
   */
  default Future<List<String>> change(Function<GatewayConfig, GatewayConfig.Result> edit) {
    return Future.failedFuture(new UnsupportedOperationException("this gateway has no configuration to change"));
  }

  /** The lab's controls, when there is a lab; empty otherwise (lab endpoints then answer 409). */
  default Optional<LabControls> lab() {
    return Optional.empty();
  }
}
