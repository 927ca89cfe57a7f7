package dev.loadstar.gateway.internal.admin;

import io.vertx.core.Context;
import io.vertx.core.Future;
import io.vertx.core.Promise;
import io.vertx.core.Vertx;
import io.vertx.core.http.HttpServerRequest;
import io.vertx.core.http.HttpServerResponse;
import io.vertx.core.json.JsonObject;
import java.time.Instant;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;
import java.util.concurrent.atomic.AtomicLong;

/**
 * The admin API's Server-Sent Events stream. Events are numbered; the last {@code bufferSize} are kept so a client
 * reconnecting with {@code Last-Event-ID} gets what it missed. Bounded everywhere: at most {@code maxSubscribers}
 * streams (more are refused with 503), and a subscriber whose connection cannot keep up (its write queue is full)
 * is disconnected rather than buffered for. All state lives on one Vert.x context; {@link #publish} may be called
 * from any thread.
 */
public final class EventHub {

  private final Vertx vertx;
  private final Context context;
  private final int bufferSize;
  private final int maxSubscribers;
  private final int maxQueuedBytes;
  private final ArrayDeque<Event> buffer = new ArrayDeque<>();
  private final Set<HttpServerResponse> subscribers = new LinkedHashSet<>();
  private final AtomicLong dropped = new AtomicLong();
  private long sequence;
  private volatile int count;
  private long heartbeatTimer = -1;
  private boolean closed;

  private record Event(long id, String frame) {
  }

  /** A hub on {@code context}, keeping {@code bufferSize} events and serving at most {@code maxSubscribers}. */
  public EventHub(Vertx vertx, Context context, int bufferSize, int maxSubscribers, int maxQueuedBytes,
      long heartbeatMs) {
    this.vertx = vertx;
    this.context = context;
    this.bufferSize = bufferSize;
    this.maxSubscribers = maxSubscribers;
    this.maxQueuedBytes = maxQueuedBytes;
    context.runOnContext(v -> {
      if (!closed) {
        heartbeatTimer = vertx.setPeriodic(heartbeatMs, id -> broadcast(": keep-alive\n\n", -1));
      }
    });
  }

  /** Publishes an event of {@code type}; {@code data} gets a {@code time} field. Any thread. */
  public void publish(String type, JsonObject data) {
    String json = data.copy().put("time", Instant.now().toString()).encode();
    context.runOnContext(v -> {
      if (closed) {
        return;
      }
      long id = ++sequence;
      String frame = "id: " + id + "\nevent: " + type + "\ndata: " + json + "\n\n";
      buffer.addLast(new Event(id, frame));
      while (buffer.size() > bufferSize) {
        buffer.removeFirst();
      }
      broadcast(frame, id);
    });
  }

  private void broadcast(String frame, long id) {
    for (HttpServerResponse r : new ArrayList<>(subscribers)) {
      write(r, frame);
    }
  }

  private void write(HttpServerResponse r, String frame) {
    if (r.closed() || r.ended()) {
      subscribers.remove(r);
      count = subscribers.size();
      return;
    }
    if (r.writeQueueFull()) {
      // a slow consumer: drop it instead of buffering without bound (the client reconnects with Last-Event-ID)
      subscribers.remove(r);
      count = subscribers.size();
      dropped.incrementAndGet();
      r.reset();
      return;
    }
    r.write(frame);
  }

  /** Starts streaming to the request's client (from the request's handler). */
  public void subscribe(HttpServerRequest req) {
    // a reconnecting EventSource sends Last-Event-ID; a page asks for the kept history with ?lastEventId=0
    String header = req.getHeader("Last-Event-ID");
    String last = header != null ? header : req.getParam("lastEventId");
    context.runOnContext(v -> {
      HttpServerResponse r = req.response();
      if (closed || subscribers.size() >= maxSubscribers) {
        r.setStatusCode(503).putHeader("content-type", "application/json")
            .end(AdminJson.error("TooManySubscribers", "at most " + maxSubscribers + " event streams at once")
                .encode());
        return;
      }
      r.setChunked(true).setWriteQueueMaxSize(maxQueuedBytes)
          .putHeader("content-type", "text/event-stream; charset=utf-8")
          .putHeader("cache-control", "no-cache");
      subscribers.add(r);
      count = subscribers.size();
      r.closeHandler(x -> context.runOnContext(y -> {
        subscribers.remove(r);
        count = subscribers.size();
      }));
      r.write("retry: 2000\n: loadstar admin events\n\n");
      if (last != null) {
        long from;
        try {
          from = Long.parseLong(last.trim());
        } catch (NumberFormatException e) {
          from = Long.MAX_VALUE;
        }
        for (Event e : buffer) {
          if (e.id() > from) {
            write(r, e.frame());
          }
        }
      }
    });
  }

  /** Subscribers currently streaming. */
  public int subscriberCount() {
    return count;
  }

  /** Subscribers disconnected for being too slow. */
  public long droppedSubscribers() {
    return dropped.get();
  }

  /** Ends every stream and the heartbeat; idempotent. */
  public Future<Void> close() {
    Promise<Void> done = Promise.promise();
    context.runOnContext(v -> {
      if (closed) {
        done.tryComplete();
        return;
      }
      closed = true;
      if (heartbeatTimer >= 0) {
        vertx.cancelTimer(heartbeatTimer);
      }
      List<HttpServerResponse> all = new ArrayList<>(subscribers);
      subscribers.clear();
      for (HttpServerResponse r : all) {
        if (!r.closed() && !r.ended()) {
          r.end();
        }
      }
      buffer.clear();
      count = 0;
      done.tryComplete();
    });
    return done.future();
  }
}
