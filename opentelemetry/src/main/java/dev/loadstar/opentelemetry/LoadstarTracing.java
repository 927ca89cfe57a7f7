package dev.loadstar.opentelemetry;

import dev.loadstar.core.Exchange;
import dev.loadstar.core.ExchangeListener;
import dev.loadstar.core.LoadBalancedRequest;
import dev.loadstar.routing.RequestStart;
import io.opentelemetry.api.OpenTelemetry;
import io.opentelemetry.api.trace.Tracer;
import io.opentelemetry.api.trace.propagation.W3CTraceContextPropagator;
import io.opentelemetry.context.Context;
import io.opentelemetry.context.propagation.TextMapGetter;
import io.opentelemetry.context.propagation.TextMapPropagator;
import io.opentelemetry.context.propagation.TextMapSetter;
import io.vertx.core.MultiMap;
import java.util.Map;
import java.util.Objects;
import java.util.concurrent.ConcurrentHashMap;

/**
 * OpenTelemetry spans for Loadstar, through the OpenTelemetry API only (the application brings the SDK and exporters,
 * or none: with the no-op API nothing is recorded):
 *
 * <ul>
 *   <li>{@link #clientSpans()}: an {@link ExchangeListener.Factory} making one {@code CLIENT} span per attempt
 *   (target, outcome, attempt number, status), whose context is injected as {@code traceparent} into the attempt's
 *   request. For a {@code LoadBalancedClient} ({@code LoadBalancedClient.create(vertx, options, factory)}) and for an
 *   {@code HttpListener} ({@code HttpListener.Builder.exchangeListeners}).</li>
 *   <li>{@link #serverSpans()}: a {@link RequestStart} making one {@code SERVER} span per request a listener receives
 *   ({@code HttpListener.Builder.requestStart}), the child of the incoming {@code traceparent} and the parent of the
 *   request's attempt spans.</li>
 * </ul>
 *
 * <p>A client span's parent is the request's server span (gateway), else the OpenTelemetry context current when the
 * request was sent, else the {@code traceparent} the caller put on the request. One instance serves any number of
 * listeners and clients.
 */
public final class LoadstarTracing {

  /** The instrumentation scope name of Loadstar's spans. */
  public static final String SCOPE = "dev.loadstar";

  static final TextMapGetter<MultiMap> GETTER = new TextMapGetter<>() {
    @Override
    public Iterable<String> keys(MultiMap carrier) {
      return carrier.names();
    }

    @Override
    public String get(MultiMap carrier, String key) {
      return carrier == null ? null : carrier.get(key);
    }
  };

  static final TextMapSetter<MultiMap> SETTER = (carrier, key, value) -> {
    if (carrier != null) {
      carrier.set(key, value);
    }
  };

  final Tracer tracer;
  final TextMapPropagator propagator;
  /** The server span of each exchange a listener forwards, from forwarding until the exchange ends. */
  final Map<Exchange, Context> parents = new ConcurrentHashMap<>();

  private LoadstarTracing(OpenTelemetry otel) {
    this.tracer = otel.getTracer(SCOPE);
    // W3C trace context always (Loadstar's headers are W3C), plus whatever the application configured (baggage, ...)
    this.propagator = TextMapPropagator.composite(W3CTraceContextPropagator.getInstance(),
        otel.getPropagators().getTextMapPropagator());
  }

  /** Tracing through {@code openTelemetry} (e.g. {@code GlobalOpenTelemetry.get()} or an SDK instance). */
  public static LoadstarTracing create(OpenTelemetry openTelemetry) {
    return new LoadstarTracing(Objects.requireNonNull(openTelemetry, "openTelemetry"));
  }

  /** One {@code CLIENT} span per attempt of every exchange. */
  public ExchangeListener.Factory clientSpans() {
    return exchange -> new AttemptSpans(this, Context.current());
  }

  /**
   * Puts the current OpenTelemetry context on {@code request} as {@code traceparent}, so its attempt spans are children
   * of the caller's span even when the client runs the request on another thread (a caller outside the client's
   * Vert.x context); returns the request.
   */
  public LoadBalancedRequest propagate(LoadBalancedRequest request) {
    propagator.inject(Context.current(), request.headers(), SETTER);
    return request;
  }

  /** One {@code SERVER} span per request a listener receives. */
  public RequestStart serverSpans() {
    return request -> new ServerSpan(this, request);
  }

  /** Exchanges whose parent is still held (for tests: the map empties as exchanges end). */
  int heldParents() {
    return parents.size();
  }
}
