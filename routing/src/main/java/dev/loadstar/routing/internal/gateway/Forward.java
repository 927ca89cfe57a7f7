package dev.loadstar.routing.internal.gateway;

import dev.loadstar.core.Exchange;
import dev.loadstar.core.FailureKind;
import dev.loadstar.core.FunctionRequest;
import dev.loadstar.core.FunctionResponse;
import dev.loadstar.core.RegisteredTarget;
import dev.loadstar.core.Stickiness;
import dev.loadstar.core.StickySessions;
import dev.loadstar.core.TargetFunction;
import dev.loadstar.core.TargetGroup;
import dev.loadstar.core.TargetGroupConfig;
import dev.loadstar.routing.ClassificationReason;
import dev.loadstar.routing.InspectionContext;
import dev.loadstar.routing.RequestClassification;
import dev.loadstar.routing.Rule;
import io.vertx.core.AsyncResult;
import io.vertx.core.MultiMap;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.HttpClientRequest;
import io.vertx.core.http.HttpClientResponse;
import io.vertx.core.http.HttpMethod;
import io.vertx.core.http.HttpServerRequest;
import io.vertx.core.http.HttpServerResponse;
import io.vertx.core.http.HttpVersion;
import io.vertx.core.http.RequestOptions;
import io.vertx.core.net.HostAndPort;
import io.vertx.core.streams.Pipe;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * One forwarded request: the inspection hooks, then its attempts through core's {@link Exchange} (which picks each
 * attempt's target and decides retries), and the proxying itself: request head and body to the target, response
 * head, body and trailers back, with backpressure both ways; function targets called in process; WebSocket upgrades
 * tunnelled ({@link Tunnel}). Runs on its worker's event loop only. Every asynchronous step runs inside
 * {@link #guard}: whatever it throws ends the attempt as cancelled and answers 500 (or resets a started response).
 */
final class Forward implements InspectionContext {

  private static final System.Logger LOG = System.getLogger(DefaultHttpListener.class.getName());
  /** The largest request body a function target gets (ALB's limit for Lambda targets). */
  static final int MAX_FUNCTION_BODY = 1024 * 1024;

  final Worker worker;
  final HttpServerRequest req;
  final Rule rule;
  final String groupName;
  final TargetGroup group;
  final String groupCookie;
  final boolean websocket;
  /** The headers to forward: a copy of the request's, with X-Forwarded-* and the trace id (hooks may change it). */
  final MultiMap headers;
  String sourceIp;
  int listenerPort;
  /** Set by {@link RequestGuard#applyTo}: the target to forward, the authority, the classification. */
  String uri;
  HostAndPort authority;
  RequestClassification classification = RequestClassification.COMPLIANT;
  ClassificationReason classificationReason;
  /** Whether the client connection closes after the response (an ambiguous request in defensive mode). */
  boolean closeAfter;
  Exchange exchange;
  /** The current attempt's request to the target, once the client gave one. */
  HttpClientRequest backend;
  /** The request body when it was read whole (for a function target), so that a retry can send it again. */
  private Buffer body;
  /** The hook awaited (for the log line when the hook chain times out). */
  private int hookIndex;
  /** The request log's record, or null when there is no log. */
  final Record record;

  Forward(Worker worker, HttpServerRequest req, Rule rule, String groupName, TargetGroup group, String groupCookie,
      Record record) {
    this.record = record;
    this.worker = worker;
    this.req = req;
    this.rule = rule;
    this.groupName = groupName;
    this.group = group;
    this.groupCookie = groupCookie;
    this.websocket = req.canUpgradeToWebSocket();
    this.headers = MultiMap.caseInsensitiveMultiMap().addAll(req.headers());
  }

  // ---- InspectionContext ---------------------------------------------------------------------------------------

  @Override
  public String method() {
    return req.method().name();
  }

  @Override
  public String uri() {
    return uri;
  }

  @Override
  public RequestClassification classification() {
    return classification;
  }

  @Override
  public ClassificationReason classificationReason() {
    return classificationReason;
  }

  @Override
  public String remoteAddress() {
    return sourceIp;
  }

  @Override
  public MultiMap headers() {
    return headers;
  }

  @Override
  public Rule rule() {
    return rule;
  }

  @Override
  public String targetGroup() {
    return groupName;
  }

  @Override
  public boolean isWebSocket() {
    return websocket;
  }

  // ---- flow ------------------------------------------------------------------------------------------------------

  void start() {
    guard(() -> {
      if (worker.listener.hooks.isEmpty()) {
        dispatch();
      } else {
        Hooks.run(this);
      }
    });
  }

  boolean clientGone() {
    return req.response().closed();
  }

  /** After the hooks passed: makes the exchange and starts the first attempt. */
  void dispatch() {
    if (clientGone()) {
      worker.stats.elb(460);
      return;
    }
    if (group == null) {
      worker.respond(req, 503);
      return;
    }
    if (!TargetClients.accepts(group.config().protocolVersion(), req, websocket)) {
      worker.respond(req, 464); // ALB: the request's protocol does not fit the group's protocol version
      return;
    }
    exchange = worker.listener.engine.exchange(group, req.method());
    if (record != null) {
      record.action("forward");
      record.forward(groupName, exchange, headers);
    }
    TargetGroupConfig config = group.config();
    if (config.stickiness().enabled()) {
      exchange.stickyCookie(dev.loadstar.core.Cookies.get(req.headers().getAll("cookie"),
          group.stickySessions().cookieName()));
    }
    if (config.algorithm().usesHashKey()) {
      exchange.hashKey(config.hashKey().valueIn(req.headers(), req.query(), sourceIp));
    }
    io.vertx.core.Context ctx = worker.context;
    exchange.onDrainTimeout(() -> ctx.runOnContext(v -> guard(() -> {
      HttpClientRequest b = backend;
      if (b != null) {
        b.reset(); // its failure then classifies as DEREGISTERED: 502, no retry
      }
    })));
    attempt();
  }

  /** Starts the next attempt, or answers with why there is none. */
  private void attempt() {
    Exchange.Step step = exchange.start();
    if (!step.started()) {
      finishWith(step == Exchange.Step.NO_TARGET ? 503 : errorStatus(exchange.lastFailure()));
      return;
    }
    backend = null;
    TargetFunction fn = exchange.function();
    if (fn != null) {
      invoke(fn);
    } else if (websocket) {
      connect(true);
    } else {
      connect(false);
    }
  }

  /** ALB's answer for a forward that failed this way. */
  static int errorStatus(FailureKind kind) {
    if (kind == null) {
      return 502;
    }
    switch (kind) {
      case CONNECT_TIMEOUT:
      case TIMEOUT:
        return 504;
      case NESTED_UNAVAILABLE:
        return 503;
      default:
        return 502;
    }
  }

  /** Answers with the listener's own status and ends the exchange. */
  private void finishWith(int status) {
    release();
    worker.respond(req, status);
    exchange.finish(status);
  }

  /** The client went away: the attempt in flight is cancelled, counted as 460. */
  private void clientWentAway() {
    worker.stats.elb(460);
    HttpClientRequest b = backend;
    if (b != null) {
      b.reset();
    }
    exchange.finish(0);
  }

  /** Lets an unread request body drain (the answer does not need it). */
  void release() {
    if (!req.isEnded()) {
      req.resume();
    }
  }

  // ---- host:port targets -----------------------------------------------------------------------------------------

  private void connect(boolean upgrade) {
    RequestOptions o = new RequestOptions()
        .setHost(exchange.host())
        .setPort(exchange.port())
        .setMethod(upgrade ? HttpMethod.GET : req.method())
        .setURI(uri)
        .setConnectTimeout(worker.config.connectTimeout().toMillis());
    if (group.config().protocol() == TargetGroupConfig.Protocol.HTTPS) {
      o.setSsl(true);
    }
    TargetGroupConfig.ProtocolVersion version = group.config().protocolVersion();
    worker.clients.client(version).request(o).onComplete(ar -> guard(() -> {
      if (ar.failed()) {
        if (clientGone()) {
          exchange.cancelled();
          clientWentAway();
          return;
        }
        // nothing reached the target: any method may go to another target
        exchange.failed(exchange.classify(ar.cause(), false));
        attempt();
        return;
      }
      HttpClientRequest creq = ar.result();
      // failures reach the response future and the pipes; without a handler Vert.x also logs each one at ERROR
      // (a reset after the client went away is routine)
      creq.exceptionHandler(e -> { });
      backend = creq;
      if (clientGone()) {
        exchange.cancelled();
        clientWentAway();
        return;
      }
      copyHeaders(creq);
      if (version.usesHttp2()) {
        TargetClients.prepareHttp2(req, creq);
      }
      if (upgrade) {
        Tunnel.open(this, creq);
      } else {
        send(creq);
      }
    }));
  }

  /** The forwarded headers, minus hop-by-hop ones, and the Host header as the listener's setting says. */
  void copyHeaders(HttpClientRequest creq) {
    MultiMap out = creq.headers();
    for (Map.Entry<String, String> e : headers) {
      if (!HopByHop.isRequestHopByHop(e.getKey())) {
        out.add(e.getKey(), e.getValue());
      }
    }
    String host = hostHeader();
    if (host != null) {
      out.set("host", host);
    }
    exchange.beforeSend(out);
  }

  /** The client's Host (as ALB: with the listener's port unless it is the default, or unchanged when preserved). */
  private String hostHeader() {
    HostAndPort authority = this.authority;
    if (authority == null) {
      return null;
    }
    if (worker.config.preserveHostHeader()) {
      String h = RequestGuard.absoluteForm(req) ? null : req.headers().get("host");
      return h != null ? h : authority.toString();
    }
    String name = authority.host();
    if (name.indexOf(':') >= 0 && !name.startsWith("[")) {
      name = "[" + name + "]";
    }
    boolean defaultPort = req.isSSL() ? listenerPort == 443 : listenerPort == 80;
    return defaultPort ? name : name + ":" + listenerPort;
  }

  /** Sends the request head and body; the response head arrives in {@link #received}. */
  private void send(HttpClientRequest creq) {
    creq.response().onComplete(ar -> guard(() -> received(creq, ar)));
    long idleMs = worker.config.idleTimeout().toMillis();
    if (body != null) {
      creq.putHeader("content-length", Integer.toString(body.length()));
      creq.end(body).onComplete(x -> creq.idleTimeout(idleMs));
      return;
    }
    String length = req.getHeader("content-length");
    boolean chunked = req.version() != HttpVersion.HTTP_2 ? HopByHop.isChunked(req.headers())
        : length == null && !req.isEnded();
    if (length == null && !chunked) {
      req.resume(); // nothing to read but the end of the request
      creq.end().onComplete(x -> creq.idleTimeout(idleMs));
      return;
    }
    if (length != null) {
      creq.putHeader("content-length", length);
    } else {
      creq.setChunked(true);
    }
    // the target's response timer starts once the body is sent: a slow but flowing upload is not a 504
    Pipe<Buffer> pipe = req.pipe();
    pipe.endOnComplete(true).endOnFailure(false);
    pipe.to(creq).onComplete(x -> guard(() -> {
      if (x.succeeded()) {
        creq.idleTimeout(idleMs);
      } else {
        creq.reset();
      }
    }));
  }

  private void received(HttpClientRequest creq, AsyncResult<HttpClientResponse> ar) {
    if (ar.failed()) {
      if (clientGone()) {
        exchange.cancelled();
        clientWentAway();
        return;
      }
      // a retry after a lost connection must be able to send the body again
      exchange.replayable(body != null || req.isEnded() && req.bytesRead() == 0);
      exchange.failed(exchange.classify(ar.cause(), true));
      attempt();
      return;
    }
    HttpClientResponse cresp = ar.result();
    int status = cresp.statusCode();
    exchange.responseHead(status);
    if (record != null) {
      record.responseHead();
    }
    HttpServerResponse resp = req.response();
    if (resp.closed()) {
      exchange.cancelled();
      clientWentAway();
      return;
    }
    resp.setStatusCode(status);
    String message = cresp.statusMessage();
    if (message != null) {
      resp.setStatusMessage(message);
    }
    MultiMap out = resp.headers();
    String connection = cresp.getHeader("connection");
    for (Map.Entry<String, String> e : cresp.headers()) {
      String name = e.getKey();
      if (!HopByHop.isResponseHopByHop(name) && (connection == null || !HopByHop.listed(connection, name))) {
        out.add(name, e.getValue());
      }
    }
    addStickyCookies(exchange.target(), out);
    boolean bodyless = req.method() == HttpMethod.HEAD || status == 204 || status == 304 || status < 200;
    boolean closeDelimited = false;
    if (!bodyless && cresp.getHeader("content-length") == null) {
      if (req.version() == HttpVersion.HTTP_1_0) {
        closeDelimited = true; // HTTP/1.0 has no chunking: the body ends when the connection closes
      } else {
        resp.setChunked(true);
      }
    }
    boolean close = closeDelimited || closeAfter;
    if (closeAfter) {
      out.set("connection", "close");
    }
    Pipe<Buffer> pipe = cresp.pipe();
    pipe.endOnSuccess(false).endOnFailure(false);
    pipe.to(resp).onComplete(sent -> guard(() -> {
      if (sent.failed()) {
        relayFailed(creq, sent.cause());
        return;
      }
      MultiMap trailers = cresp.trailers();
      if (!trailers.isEmpty() && (req.version() == HttpVersion.HTTP_2 || resp.isChunked())) {
        resp.trailers().addAll(trailers);
      }
      resp.end().onComplete(ended -> guard(() -> {
        if (ended.failed() && clientGone()) {
          exchange.cancelled();
          clientWentAway();
          return;
        }
        exchange.succeeded(status);
        exchange.finish(status);
        if (close && req.connection() != null) {
          req.connection().close();
        }
      }));
    }));
  }

  /** The response relay broke: the client went away, or the target failed mid-body (the client gets a reset). */
  private void relayFailed(HttpClientRequest creq, Throwable cause) {
    if (clientGone()) {
      exchange.cancelled();
      clientWentAway();
      return;
    }
    exchange.failed(exchange.classify(cause, true));
    creq.reset();
    HttpServerResponse resp = req.response();
    if (!resp.closed()) {
      resp.reset();
    }
    exchange.finish(0);
  }

  void addStickyCookies(RegisteredTarget t, MultiMap respHeaders) {
    Stickiness s = group.config().stickiness();
    if (s.enabled()) {
      StickySessions ss = group.stickySessions();
      boolean issue = s.type() == Stickiness.Type.LB_COOKIE
          || dev.loadstar.core.Cookies.setsCookie(respHeaders.getAll("set-cookie"), s.appCookieName());
      if (issue) {
        long expires = System.currentTimeMillis() / 1000 + s.duration().getSeconds();
        respHeaders.add("set-cookie", dev.loadstar.core.Cookies.setCookie(ss.cookieName(), ss.issue(t), expires));
      }
    }
    if (groupCookie != null) {
      respHeaders.add("set-cookie", groupCookie);
    }
  }

  // ---- function targets ----------------------------------------------------------------------------------------

  /** Hop-by-hop and framing headers a function's answer does not pass on (the listener frames the body itself). */
  private static final List<String> NOT_FROM_FUNCTION = List.of("connection", "keep-alive", "transfer-encoding",
      "upgrade", "content-length", "proxy-connection", "te", "trailer");

  /**
   * Calls a function target in process: the body is read whole (up to {@value #MAX_FUNCTION_BODY} bytes, as ALB;
   * more is 413), the handler gets the forwarded headers, and its answer is written back with the group's sticky
   * cookies. A failed handler is a lost connection (an idempotent request goes to another target), a missed idle
   * timeout a timeout (504).
   */
  private void invoke(TargetFunction fn) {
    if (websocket) {
      exchange.cancelled(); // says nothing about the function
      finishWith(502);
      return;
    }
    if (body != null) {
      call(fn, body);
      return;
    }
    BodyReader.read(req, MAX_FUNCTION_BODY).onComplete(read -> guard(() -> {
      if (read.failed()) {
        exchange.cancelled();
        if (read.cause() instanceof BodyReader.TooLarge) {
          finishWith(413);
        } else {
          clientWentAway();
        }
        return;
      }
      body = read.result(); // a retry on a host:port target sends it again
      call(fn, body);
    }));
  }

  private void call(TargetFunction fn, Buffer payload) {
    MultiMap forwarded = MultiMap.caseInsensitiveMultiMap();
    for (Map.Entry<String, String> e : headers) {
      if (!HopByHop.isRequestHopByHop(e.getKey())) {
        forwarded.add(e.getKey(), e.getValue());
      }
    }
    FunctionRequest request = new FunctionRequest(req.method(), uri, forwarded, payload.copy());
    fn.call(worker.listener.vertx, worker.context, exchange.server().target().id(), request,
        worker.config.idleTimeout().toMillis()).onComplete(ar -> guard(() -> {
          if (clientGone()) {
            exchange.cancelled();
            clientWentAway();
            return;
          }
          if (ar.failed()) {
            exchange.failed(exchange.classify(ar.cause(), true));
            attempt();
            return;
          }
          FunctionResponse answer = ar.result();
          exchange.responseHead(answer.statusCode());
          if (record != null) {
            record.responseHead();
          }
          HttpServerResponse resp = req.response();
          resp.setStatusCode(answer.statusCode());
          for (Map.Entry<String, String> h : answer.headers()) {
            if (!NOT_FROM_FUNCTION.contains(h.getKey().toLowerCase(Locale.ROOT))) {
              resp.headers().add(h.getKey(), h.getValue());
            }
          }
          addStickyCookies(exchange.target(), resp.headers());
          int status = answer.statusCode();
          if (closeAfter) {
            resp.headers().set("connection", "close");
          }
          resp.end(answer.body()).onComplete(x -> guard(() -> {
            exchange.succeeded(status);
            exchange.finish(status);
            if (closeAfter && req.connection() != null) {
              req.connection().close();
            }
          }));
        }));
  }

  // ---- guard -----------------------------------------------------------------------------------------------------

  /**
   * Runs one step. Whatever it throws would otherwise end in the context's exception handler with the client never
   * answered and the target's request never ended: here it ends the attempt (as cancelled: the target is not to
   * blame), resets the request to the target, and answers 500, or resets a response already started.
   */
  void guard(Runnable step) {
    if (Thread.currentThread() != worker.loop) {
      // a future completed on another thread (a hook's verdict, a function's answer): the listener's connections are
      // written only from their event loop (strict thread mode)
      worker.context.runOnContext(v -> guard(step));
      return;
    }
    try {
      step.run();
    } catch (Exception e) {
      LOG.log(System.Logger.Level.ERROR, "listener failed on " + req.method() + " " + Logs.safe(req.uri()), e);
      try {
        HttpClientRequest b = backend;
        if (exchange != null && exchange.inFlight()) {
          exchange.cancelled();
          if (b != null) {
            b.reset();
          }
        }
        release();
      } finally {
        HttpServerResponse resp = req.response();
        if (!resp.ended() && !resp.closed()) {
          worker.respond(req, 500);
        }
        if (exchange != null) {
          exchange.finish(500);
        }
      }
    }
  }

  /** Records the hook being awaited (see {@link Hooks}). */
  void hookAwaited(int index) {
    this.hookIndex = index;
  }

  int hookIndex() {
    return hookIndex;
  }
}
