package dev.loadstar.routing;

import dev.loadstar.core.AttemptEngine;
import dev.loadstar.core.Balancer;
import dev.loadstar.core.ExchangeListener;
import dev.loadstar.core.TargetGroup;
import dev.loadstar.core.time.TimeSource;
import dev.loadstar.routing.internal.gateway.DefaultHttpListener;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import java.util.function.Function;

/**
 * The embeddable "ALB": an HTTP listener (HTTP/1.1 with keep-alive, h2c, WebSocket upgrades; HTTPS with h2 by ALPN
 * when {@link ListenerConfig#tls()} is set) that applies a {@link RuleSet} to each request and reverse-proxies
 * forward actions to a target chosen by the target group's stickiness and algorithm, streaming bodies with
 * backpressure, over HTTP/1.1 or HTTP/2 as the group's protocol version says. Errors are ALB's: 400 for an over-limit
 * request, 463 for too many X-Forwarded-For addresses, 464 for a request the group's protocol version does not take,
 * 502 when the target refuses, resets or answers malformed, 503 when
 * the group has no target, 504 when the target does not answer in time; a client that goes away is counted (460).
 * A request that could not reach its target (and an idempotent one whose connection was lost before any
 * response) is retried on another target, as the listener's {@link ListenerConfig#retryPolicy()} allows, before any
 * 502.
 *
 * <p>Targets of every kind are served: host-and-port targets are proxied, function targets are called in process
 * (the request body is read whole first; a WebSocket upgrade to a function target is answered 502), and balancer
 * targets hand the request on to their nested group or listener. A listener is itself a {@link Balancer}: a balancer
 * target may hand requests to it (e.g. from a {@link TcpListener}'s group), and rules that would close a loop are
 * refused.
 */
public interface HttpListener extends Balancer {

  /** A builder for a listener on {@code vertx}. */
  static Builder builder(Vertx vertx) {
    return new Builder(vertx);
  }

  /** Binds the port; completes when the listener accepts connections. */
  Future<Void> start();

  /** The bound port (after {@link #start()}). */
  int actualPort();

  /**
   * Replaces the rules atomically: each request sees the old set or the new one, never a mix; requests in flight
   * are not disturbed. Fails when a forward names a target group the listener cannot find, or one that leads back to
   * this listener (the loop is named: {@code listener front -> target group web -> listener front}).
   */
  void rules(RuleSet rules);

  /** The current rules. */
  RuleSet rules();

  /** Live counters. */
  ListenerStats stats();

  /** The attempt engine forwards go through (its retry policy and budget). */
  AttemptEngine engine();

  /** {@code listener}. */
  @Override
  default String balancerType() {
    return "listener";
  }

  /** Stops accepting, closes the server and the client to the targets; idempotent. */
  Future<Void> close();

  /**
   * Stops gracefully: stops accepting connections at once, lets requests in flight finish for up to {@code grace}
   * (HTTP/1.1 connections close after their current response, HTTP/2 connections get a GOAWAY), then closes
   * everything as {@link #close()} does. Completes when closed; later calls return the same future.
   */
  Future<Void> shutdown(java.time.Duration grace);

  /** Builds an {@link HttpListener}. */
  final class Builder {
    private final Vertx vertx;
    private ListenerConfig config = ListenerConfig.builder().build();
    private RuleSet rules;
    private Function<String, TargetGroup> groups;
    private final List<InspectionHook> hooks = new ArrayList<>();
    private ExchangeListener.Factory exchangeListeners = ExchangeListener.Factory.NONE;
    private TimeSource time;
    private RequestLog requestLog;
    private RequestStart requestStart;

    private Builder(Vertx vertx) {
      this.vertx = Objects.requireNonNull(vertx, "vertx");
    }

    /** Sets the configuration (default: ALB's defaults on port 80). */
    public Builder config(ListenerConfig config) {
      this.config = Objects.requireNonNull(config, "config");
      return this;
    }

    /** Sets the rules (required). */
    public Builder rules(RuleSet rules) {
      this.rules = Objects.requireNonNull(rules, "rules");
      return this;
    }

    /** Sets how target groups are found by name (required), e.g. {@code Map.of("web", web)::get}. */
    public Builder targetGroups(Function<String, TargetGroup> groups) {
      this.groups = Objects.requireNonNull(groups, "groups");
      return this;
    }

    /** Appends an inspection hook; hooks run in the order added. */
    public Builder hook(InspectionHook hook) {
      hooks.add(Objects.requireNonNull(hook, "hook"));
      return this;
    }

    /** Reports every forwarded request and its attempts to the listeners {@code factory} makes (metrics, logs). */
    public Builder exchangeListeners(ExchangeListener.Factory factory) {
      this.exchangeListeners = Objects.requireNonNull(factory, "factory");
      return this;
    }

    /**
     * Hands a record of every request (the fields of ALB's access log) to {@code log} once its response is sent;
     * null (the default) records nothing and costs nothing.
     */
    public Builder requestLog(RequestLog log) {
      this.requestLog = log;
      return this;
    }

    /**
     * Tells {@code start} of every request as it arrives, before routing, and follows it through the scope it
     * returns (e.g. a tracing server span); null (the default) costs nothing.
     */
    public Builder requestStart(RequestStart start) {
      this.requestStart = start;
      return this;
    }

    /** Sets where the listener reads time (default: the system clock and Vert.x timers). */
    public Builder timeSource(TimeSource time) {
      this.time = Objects.requireNonNull(time, "time");
      return this;
    }

    /** Validates the rules against the known groups and builds the listener (not yet started). */
    public HttpListener build() {
      if (rules == null) {
        throw new IllegalArgumentException("rules: null (expected: a rule set)");
      }
      if (groups == null) {
        throw new IllegalArgumentException("targetGroups: null (expected: a lookup of target groups by name)");
      }
      return new DefaultHttpListener(vertx, config, rules, groups, List.copyOf(hooks), exchangeListeners,
          time != null ? time : TimeSource.system(vertx), requestLog, requestStart);
    }
  }
}
