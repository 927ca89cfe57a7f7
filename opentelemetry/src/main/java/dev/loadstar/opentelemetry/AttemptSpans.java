package dev.loadstar.opentelemetry;

import dev.loadstar.core.Exchange;
import dev.loadstar.core.ExchangeListener;
import dev.loadstar.core.FailureKind;
import dev.loadstar.core.RegisteredTarget;
import dev.loadstar.core.RequestOutcome;
import io.opentelemetry.api.trace.Span;
import io.opentelemetry.api.trace.SpanKind;
import io.opentelemetry.api.trace.StatusCode;
import io.opentelemetry.context.Context;
import io.vertx.core.MultiMap;
import java.time.Instant;

/**
 * The {@code CLIENT} spans of one exchange, one per attempt. An attempt's span starts when the attempt starts; when
 * its parent is not known yet (no server span, no current context), it is made when the request's headers are seen
 * (their {@code traceparent} is the parent) with the attempt's start time.
 */
final class AttemptSpans implements ExchangeListener {

  private final LoadstarTracing tracing;
  private final Context current;
  /** The parent of every attempt's span, once known (attempts after the first keep the first one's parent). */
  private Context parent;
  private Span span;
  private Instant attemptStart;

  AttemptSpans(LoadstarTracing tracing, Context current) {
    this.tracing = tracing;
    this.current = current;
  }

  @Override
  public void attemptStarted(Exchange e) {
    attemptStart = Instant.now();
    span = null;
    if (parent == null) {
      Context server = tracing.parents.get(e);
      if (server != null) {
        parent = server;
      } else if (Span.fromContext(current).getSpanContext().isValid()) {
        parent = current;
      }
    }
    if (parent != null) {
      span = start(e, parent);
    }
  }

  @Override
  public void beforeSend(Exchange e, MultiMap headers) {
    if (span == null) {
      if (parent == null) {
        // the caller's traceparent on the request (attempt one: before any attempt span replaced it)
        parent = tracing.propagator.extract(Context.root(), headers, LoadstarTracing.GETTER);
      }
      span = start(e, parent);
    }
    tracing.propagator.inject(parent.with(span), headers, LoadstarTracing.SETTER);
  }

  @Override
  public void attemptEnded(Exchange e, RequestOutcome outcome, FailureKind failure, int statusCode,
      long latencyNanos) {
    if (span == null) {
      // never sent (a function target, or no connection): the span still records the attempt
      if (parent == null) {
        parent = current;
      }
      span = start(e, parent);
    }
    span.setAttribute("loadstar.outcome", outcome.name());
    if (statusCode > 0) {
      span.setAttribute("http.response.status_code", (long) statusCode);
    }
    if (failure != null) {
      span.setAttribute("error.type", failure.name());
    }
    if (outcome != RequestOutcome.SUCCESS) {
      span.setStatus(StatusCode.ERROR, failure != null ? failure.description() : outcome.name());
    }
    span.end();
    span = null;
  }

  @Override
  public void exchangeEnded(Exchange e, int statusCode) {
    tracing.parents.remove(e);
  }

  private Span start(Exchange e, Context p) {
    RegisteredTarget server = e.server();
    var b = tracing.tracer.spanBuilder(e.group().name()).setSpanKind(SpanKind.CLIENT).setParent(p)
        .setStartTimestamp(attemptStart)
        .setAttribute("loadstar.target_group", e.group().name())
        .setAttribute("loadstar.attempt", (long) e.attempt());
    if (e.attempt() > 1) {
      b.setAttribute("http.request.resend_count", (long) e.attempt() - 1);
    }
    if (server != null) {
      b.setAttribute("loadstar.target", server.target().id());
      if (e.function() == null && e.host() != null) {
        b.setAttribute("server.address", e.host());
        b.setAttribute("server.port", (long) e.port());
      }
    }
    return b.startSpan();
  }
}
