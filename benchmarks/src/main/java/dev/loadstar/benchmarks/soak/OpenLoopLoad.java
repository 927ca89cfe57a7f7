package dev.loadstar.benchmarks.soak;

import io.vertx.core.Context;
import io.vertx.core.Vertx;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.HttpClient;
import io.vertx.core.http.HttpClientOptions;
import io.vertx.core.http.HttpMethod;
import io.vertx.core.http.PoolOptions;
import io.vertx.core.http.RequestOptions;
import java.time.Duration;
import java.util.Map;
import java.util.SplittableRandom;
import java.util.TreeMap;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.LongAdder;
import java.util.function.Function;
import org.HdrHistogram.Histogram;

/**
 * An open-loop load: requests leave at a fixed rate whatever the answers do (a slow or failing gateway does not slow
 * the sender down), a mix of GETs and POSTs with a body. Latency is measured from when a request was due, not when it
 * left, so a stall is not hidden (no coordinated omission). Everything runs on one event-loop context.
 */
final class OpenLoopLoad {

  /** The header carrying each request's id to the targets. */
  static final String ID_HEADER = "x-soak-id";

  /** How one request ended. */
  record Outcome(HttpMethod method, boolean ok, String reason) {
  }

  private final Vertx vertx;
  private final Context context;
  private final int port;
  private final double rate;
  private final int postPercent;
  private final Buffer body;
  private final int maxInFlight;
  private final long requestTimeoutMs;
  private final Function<String, String> attribution;
  private static final int POOL = 1024;
  private final SplittableRandom random = new SplittableRandom(42);

  private volatile HttpClient client;
  private long timer = -1;
  private long phaseStart;
  private long phaseSent;
  private long rampNanos;
  private long seq;

  private final AtomicLong inFlight = new AtomicLong();
  private final Map<HttpMethod, LongAdder> sent = new ConcurrentHashMap<>();
  private final Map<HttpMethod, LongAdder> ok = new ConcurrentHashMap<>();
  private final Map<String, LongAdder> failures = new ConcurrentHashMap<>();
  private final Map<String, LongAdder> answeredBy = new ConcurrentHashMap<>();
  private final Map<HttpMethod, Histogram> latency = new ConcurrentHashMap<>();

  OpenLoopLoad(Vertx vertx, int port, double rate, int postPercent, int postBytes, int maxInFlight,
      long requestTimeoutMs, Function<String, String> attribution) {
    this.attribution = attribution;
    this.vertx = vertx;
    this.context = vertx.getOrCreateContext();
    this.port = port;
    this.rate = rate;
    this.postPercent = postPercent;
    this.body = Buffer.buffer("p".repeat(postBytes));
    this.maxInFlight = maxInFlight;
    this.requestTimeoutMs = requestTimeoutMs;
    for (HttpMethod m : new HttpMethod[] {HttpMethod.GET, HttpMethod.POST}) {
      sent.put(m, new LongAdder());
      ok.put(m, new LongAdder());
      latency.put(m, new Histogram(TimeUnit.MINUTES.toMicros(5), 3));
    }
  }

  /**
   * Starts sending (again, after {@link #pause}) with a fresh client: the rate counts from now, rising linearly from 0
   * over {@code ramp} (0: at full rate at once).
   */
  void start(Duration ramp) {
    context.runOnContext(v -> {
      rampNanos = ramp.toNanos();
      // requests beyond the pool wait in the client's queue: still sent on schedule, the wait counts as latency
      client = vertx.createHttpClient(new HttpClientOptions().setKeepAlive(true).setConnectTimeout(5_000),
          new PoolOptions().setHttp1MaxSize(POOL));
      phaseStart = System.nanoTime();
      phaseSent = 0;
      timer = vertx.setPeriodic(1, id -> tick());
    });
  }

  /**
   * Stops sending, waits (at most {@code drainMs}) for the requests in flight to end, then closes the client so
   * the gateway sees no client connection. Returns the requests still in flight (0 unless the wait timed out).
   */
  long pause(long drainMs) throws InterruptedException {
    CompletableFuture<Void> stopped = new CompletableFuture<>();
    context.runOnContext(v -> {
      vertx.cancelTimer(timer);
      stopped.complete(null);
    });
    stopped.join();
    long deadline = System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(drainMs);
    while (inFlight.get() > 0 && System.nanoTime() < deadline) {
      Thread.sleep(20);
    }
    HttpClient c = client;
    if (c != null) {
      c.close().toCompletionStage().toCompletableFuture().join();
    }
    return inFlight.get();
  }

  private void tick() {
    long due = due(System.nanoTime() - phaseStart, rate, rampNanos);
    while (phaseSent < due) {
      long intended = phaseStart + dueAt(phaseSent, rate, rampNanos);
      phaseSent++;
      HttpMethod method = random.nextInt(100) < postPercent ? HttpMethod.POST : HttpMethod.GET;
      sent.get(method).increment();
      if (inFlight.get() >= maxInFlight) {
        record(new Outcome(method, false, "not sent: " + maxInFlight + " requests already in flight"), intended,
            null);
        continue;
      }
      send(method, intended);
    }
  }

  /**
   * Requests due {@code elapsed} ns into a phase at {@code rate} per second, rising linearly from 0 over
   * {@code rampNanos}: the integral of the rate, rounded down.
   */
  static long due(long elapsed, double rate, long rampNanos) {
    double t = elapsed / 1e9;
    double r = rampNanos / 1e9;
    return (long) (t < r ? rate * t * t / (2 * r) : rate * (t - r / 2));
  }

  /** When (ns into the phase) request {@code n} (from 0) is due: the moment {@link #due} reaches {@code n + 1}. */
  static long dueAt(long n, double rate, long rampNanos) {
    double count = n + 1;
    double r = rampNanos / 1e9;
    double t = count < rate * r / 2 ? Math.sqrt(2 * r * count / rate) : count / rate + r / 2;
    return (long) Math.ceil(t * 1e9);
  }

  private void send(HttpMethod method, long intended) {
    inFlight.incrementAndGet();
    String id = Long.toString(seq++);
    RequestOptions options = new RequestOptions().setMethod(method).setHost("127.0.0.1").setPort(port)
        .setURI(method == HttpMethod.GET ? "/items/" + id : "/orders").setIdleTimeout(requestTimeoutMs)
        .putHeader(ID_HEADER, id);
    client.request(options)
        .compose(req -> method == HttpMethod.GET ? req.send()
            : req.putHeader("content-type", "application/octet-stream").send(body))
        .compose(resp -> resp.body().map(b -> {
          if (resp.statusCode() == 200) {
            String s = b.toString();
            int space = s.indexOf(' ');
            answeredBy.computeIfAbsent(space > 0 ? s.substring(0, space) : s.trim(), k -> new LongAdder())
                .increment();
            return new Outcome(method, true, null);
          }
          return new Outcome(method, false, "HTTP " + resp.statusCode());
        }))
        .onComplete(ar -> {
          inFlight.decrementAndGet();
          record(ar.succeeded() ? ar.result() : new Outcome(method, false, reason(ar.cause())), intended, id);
        });
  }

  private static String reason(Throwable t) {
    String name = t.getClass().getSimpleName();
    return "client error: " + (name.isEmpty() ? t.getClass().getName() : name);
  }

  private void record(Outcome o, long intended, String id) {
    long micros = (System.nanoTime() - intended) / 1000;
    Histogram h = latency.get(o.method());
    synchronized (h) {
      h.recordValue(Math.min(Math.max(micros, 0), h.getHighestTrackableValue()));
    }
    if (o.ok()) {
      ok.get(o.method()).increment();
    } else {
      failures.computeIfAbsent(o.method() + "\t" + o.reason() + "\t" + attribution.apply(id), k -> new LongAdder())
          .increment();
    }
  }

  long sent(HttpMethod m) {
    return sent.get(m).sum();
  }

  long ok(HttpMethod m) {
    return ok.get(m).sum();
  }

  long failed(HttpMethod m) {
    String prefix = m + "\t";
    return failures.entrySet().stream().filter(e -> e.getKey().startsWith(prefix))
        .mapToLong(e -> e.getValue().sum()).sum();
  }

  long inFlight() {
    return inFlight.get();
  }

  /** Failures by "METHOD\treason\twhere" (the attribution of the failed request's id; null id: never sent). */
  Map<String, Long> failures() {
    Map<String, Long> m = new TreeMap<>();
    failures.forEach((k, v) -> m.put(k, v.sum()));
    return m;
  }

  /** 200 answers by the target that gave them (the first word of the body). */
  Map<String, Long> answeredBy() {
    Map<String, Long> m = new TreeMap<>();
    answeredBy.forEach((k, v) -> m.put(k, v.sum()));
    return m;
  }

  /** Latency percentile in milliseconds (from the time the request was due). */
  double latencyMs(HttpMethod m, double percentile) {
    Histogram h = latency.get(m);
    synchronized (h) {
      return h.getTotalCount() == 0 ? 0 : h.getValueAtPercentile(percentile) / 1000.0;
    }
  }

  double maxLatencyMs(HttpMethod m) {
    Histogram h = latency.get(m);
    synchronized (h) {
      return h.getTotalCount() == 0 ? 0 : h.getMaxValue() / 1000.0;
    }
  }
}
