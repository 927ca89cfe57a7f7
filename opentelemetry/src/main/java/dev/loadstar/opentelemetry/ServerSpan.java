package dev.loadstar.opentelemetry;

import dev.loadstar.core.Exchange;
import dev.loadstar.routing.RequestRecord;
import dev.loadstar.routing.RequestScope;
import io.opentelemetry.api.trace.Span;
import io.opentelemetry.api.trace.SpanKind;
import io.opentelemetry.api.trace.StatusCode;
import io.opentelemetry.context.Context;
import io.vertx.core.MultiMap;
import io.vertx.core.http.HttpServerRequest;
import io.vertx.core.net.SocketAddress;

/** The {@code SERVER} span of one request a listener received, from arrival until its response was sent. */
final class ServerSpan implements RequestScope {

  private final LoadstarTracing tracing;
  private final Span span;
  private final Context context;
  private Exchange exchange;

  ServerSpan(LoadstarTracing tracing, HttpServerRequest req) {
    this.tracing = tracing;
    Context parent = tracing.propagator.extract(Context.root(), req.headers(), LoadstarTracing.GETTER);
    String method = req.method().name();
    var b = tracing.tracer.spanBuilder(method).setSpanKind(SpanKind.SERVER).setParent(parent)
        .setAttribute("http.request.method", method)
        .setAttribute("url.path", req.path() == null ? "/" : req.path())
        .setAttribute("url.scheme", req.isSSL() ? "https" : "http");
    if (req.query() != null) {
      b.setAttribute("url.query", req.query());
    }
    if (req.authority() != null) {
      b.setAttribute("server.address", req.authority().host());
    }
    SocketAddress local = req.localAddress();
    if (local != null) {
      b.setAttribute("server.port", (long) local.port());
    }
    SocketAddress remote = req.remoteAddress();
    if (remote != null) {
      b.setAttribute("client.address", remote.hostAddress());
    }
    String ua = req.getHeader("user-agent");
    if (ua != null) {
      b.setAttribute("user_agent.original", ua);
    }
    this.span = b.startSpan();
    this.context = parent.with(span);
  }

  @Override
  public void forwarding(Exchange exchange, MultiMap headers) {
    this.exchange = exchange;
    tracing.parents.put(exchange, context);
    // the target sees this span as its parent, unless an attempt span replaces it (clientSpans)
    tracing.propagator.inject(context, headers, LoadstarTracing.SETTER);
  }

  @Override
  public void ended(RequestRecord r) {
    if (exchange != null) {
      tracing.parents.remove(exchange);
    }
    int status = r.statusCode();
    if (status > 0) {
      span.setAttribute("http.response.status_code", (long) status);
    }
    span.setAttribute("loadstar.listener", r.listener());
    if (r.targetGroup() != null) {
      span.setAttribute("loadstar.target_group", r.targetGroup());
    }
    if (r.matchedRulePriority() >= 0) {
      span.setAttribute("loadstar.rule_priority", (long) r.matchedRulePriority());
    }
    if (!r.actionsExecuted().isEmpty()) {
      span.setAttribute("loadstar.actions", String.join(",", r.actionsExecuted()));
    }
    if (r.errorReason() != null) {
      span.setAttribute("error.type", r.errorReason());
    }
    if (status == 0 || status >= 500) {
      span.setStatus(StatusCode.ERROR, status == 0 ? "no response sent" : r.errorReason());
    }
    if (r.time() != null) {
      span.end(r.time());
    } else {
      span.end();
    }
  }
}
