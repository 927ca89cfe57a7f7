package dev.loadstar.routing.gateway;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.loadstar.core.TargetGroup;
import dev.loadstar.routing.Action;
import dev.loadstar.routing.ListenerConfig;
import dev.loadstar.routing.RuleSet;
import io.netty.util.internal.PlatformDependent;
import io.vertx.core.Handler;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.HttpClient;
import io.vertx.core.http.HttpClientOptions;
import io.vertx.core.http.HttpClientRequest;
import io.vertx.core.http.HttpMethod;
import io.vertx.core.http.HttpServer;
import io.vertx.core.http.HttpVersion;
import io.vertx.core.http.RequestOptions;
import io.vertx.core.http.WebSocket;
import io.vertx.core.http.WebSocketClient;
import io.vertx.core.streams.ReadStream;
import java.lang.management.ManagementFactory;
import java.lang.management.MemoryPoolMXBean;
import java.lang.management.MemoryType;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/** Streaming with backpressure, keep-alive, h2c and WebSocket pass-through. */
class GatewayStreamingTest {

  private static final long UPLOAD_BYTES = 1024L * 1024 * 1024;
  private final GatewayFixture f = new GatewayFixture();

  @AfterEach
  void tearDown() {
    f.close();
  }

  /** Live heap after the last collection, summed over heap pools (no forced GC needed). */
  private static long liveHeap() {
    long sum = 0;
    for (MemoryPoolMXBean p : ManagementFactory.getMemoryPoolMXBeans()) {
      if (p.getType() == MemoryType.HEAP && p.getCollectionUsage() != null) {
        sum += p.getCollectionUsage().getUsed();
      }
    }
    return sum;
  }

  /** A generated body of {@code total} bytes in 64 KiB chunks that honours pause/resume. */
  private static final class GeneratedBody implements ReadStream<Buffer> {
    private final io.vertx.core.Context context;
    private final long total;
    private final Buffer chunk = Buffer.buffer(new byte[64 * 1024]);
    private long sent;
    private long demand = Long.MAX_VALUE;
    private boolean scheduled;
    private Handler<Buffer> handler;
    private Handler<Void> endHandler;

    GeneratedBody(io.vertx.core.Context context, long total) {
      this.context = context;
      this.total = total;
    }

    private void schedule() {
      if (!scheduled && handler != null && demand > 0) {
        scheduled = true;
        context.runOnContext(v -> emit());
      }
    }

    private void emit() {
      scheduled = false;
      int burst = 0;
      while (demand > 0 && sent < total && burst++ < 16) {
        if (demand != Long.MAX_VALUE) {
          demand--;
        }
        sent += chunk.length();
        handler.handle(chunk.copy());
      }
      if (sent >= total) {
        if (endHandler != null) {
          Handler<Void> h = endHandler;
          endHandler = null;
          h.handle(null);
        }
        return;
      }
      schedule();
    }

    @Override
    public ReadStream<Buffer> exceptionHandler(Handler<Throwable> h) {
      return this;
    }

    @Override
    public ReadStream<Buffer> handler(Handler<Buffer> h) {
      handler = h;
      schedule();
      return this;
    }

    @Override
    public ReadStream<Buffer> pause() {
      demand = 0;
      return this;
    }

    @Override
    public ReadStream<Buffer> resume() {
      return fetch(Long.MAX_VALUE);
    }

    @Override
    public ReadStream<Buffer> fetch(long amount) {
      demand = amount == Long.MAX_VALUE || demand == Long.MAX_VALUE ? Long.MAX_VALUE : demand + amount;
      schedule();
      return this;
    }

    @Override
    public ReadStream<Buffer> endHandler(Handler<Void> h) {
      endHandler = h;
      return this;
    }
  }

  @Test
  void largeUploadStreamsThroughWithBoundedMemory() {
    AtomicLong received = new AtomicLong();
    HttpServer backend = f.vertx.createHttpServer().requestHandler(req -> {
      req.handler(b -> received.addAndGet(b.length()));
      req.endHandler(v -> req.response().end(Long.toString(received.get())));
    }).listen(0, "127.0.0.1").await();
    TargetGroup g = f.group("web", backend.actualPort());
    f.start(RuleSet.of(Action.forward("web")), ListenerConfig.builder());

    System.gc();
    long heapBefore = liveHeap();
    long directBefore = PlatformDependent.usedDirectMemory();
    AtomicLong peakHeap = new AtomicLong();
    AtomicLong peakDirect = new AtomicLong();
    long timer = f.vertx.setPeriodic(50, id -> {
      peakHeap.accumulateAndGet(liveHeap(), Math::max);
      peakDirect.accumulateAndGet(PlatformDependent.usedDirectMemory(), Math::max);
    });
    io.vertx.core.Context ctx = f.vertx.getOrCreateContext();
    String answer = GatewayFixture.exchange(f.client, new RequestOptions().setMethod(HttpMethod.POST)
            .setHost("127.0.0.1").setPort(f.listener.actualPort()).setURI("/upload").putHeader("content-length",
                Long.toString(UPLOAD_BYTES)), req -> req.send(new GeneratedBody(ctx, UPLOAD_BYTES)),
            Duration.ofMinutes(4))
        .await().body();
    f.vertx.cancelTimer(timer);
    assertThat(answer).isEqualTo(Long.toString(UPLOAD_BYTES));
    long heapGrowth = peakHeap.get() - heapBefore;
    long directGrowth = peakDirect.get() - directBefore;
    // a proxy that buffered the body would grow by ~1 GiB; allow a generous 64 MiB for everything else
    assertThat(heapGrowth).as("live heap growth").isLessThan(64L * 1024 * 1024);
    assertThat(directGrowth).as("direct memory growth").isLessThan(64L * 1024 * 1024);
    // a forward's attempt ends once the response was written out, which the client may see first
    await().atMost(Duration.ofSeconds(5)).until(() -> g.targets().get(0).inFlight() == 0);
  }

  @Test
  void keepAliveConnectionIsReusedAcrossRequests() {
    f.group("web", f.backend("i-a"));
    f.start(RuleSet.of(Action.forward("web")), ListenerConfig.builder());
    AtomicInteger connections = new AtomicInteger();
    HttpClient one = f.vertx.httpClientBuilder()
        .with(new HttpClientOptions().setKeepAlive(true))
        .with(new io.vertx.core.http.PoolOptions().setHttp1MaxSize(1))
        .withConnectHandler(c -> connections.incrementAndGet())
        .build();
    for (int i = 0; i < 5; i++) {
      String body = GatewayFixture.exchange(one, new RequestOptions().setHost("127.0.0.1")
          .setPort(f.listener.actualPort()).setURI("/"), HttpClientRequest::send).await().body();
      assertThat(body).isEqualTo("i-a");
    }
    assertThat(connections.get()).isEqualTo(1);
    one.close().await();
  }

  @Test
  void h2cRequestsAreServed() {
    f.group("web", f.backend("i-a"));
    f.start(RuleSet.of(Action.forward("web")), ListenerConfig.builder());
    HttpClient h2 = f.vertx.createHttpClient(new HttpClientOptions().setProtocolVersion(HttpVersion.HTTP_2)
        .setHttp2ClearTextUpgrade(false));
    List<String> versions = new ArrayList<>();
    for (int i = 0; i < 3; i++) {
      String payload = "payload-" + i;
      GatewayFixture.Resp r = GatewayFixture.exchange(h2, new RequestOptions().setMethod(HttpMethod.POST)
          .setHost("127.0.0.1").setPort(f.listener.actualPort()).setURI("/x"), req -> req.send(payload)).await();
      versions.add(r.version().name());
      assertThat(r.body()).isEqualTo("i-a");
    }
    assertThat(versions).containsOnly("HTTP_2");
    h2.close().await();
  }

  @Test
  void webSocketUpgradePassesThroughAndStaysOnOneTarget() {
    List<Integer> ports = new ArrayList<>();
    for (String id : List.of("ws-a", "ws-b")) {
      HttpServer s = f.vertx.createHttpServer()
          .webSocketHandler(ws -> ws.textMessageHandler(m -> ws.writeTextMessage(id + ":" + m)))
          .listen(0, "127.0.0.1").await();
      ports.add(s.actualPort());
    }
    TargetGroup g = f.group("ws", ports.get(0), ports.get(1));
    f.start(RuleSet.of(Action.forward("ws")), ListenerConfig.builder());
    WebSocketClient wsClient = f.vertx.createWebSocketClient();
    for (int round = 0; round < 2; round++) {
      WebSocket ws = wsClient.connect(f.listener.actualPort(), "127.0.0.1", "/chat").await();
      List<String> echoes = new java.util.concurrent.CopyOnWriteArrayList<>();
      ws.textMessageHandler(echoes::add);
      for (int i = 0; i < 5; i++) {
        ws.writeTextMessage("m" + i).await();
      }
      await().atMost(Duration.ofSeconds(5)).until(() -> echoes.size() == 5);
      String instance = echoes.get(0).substring(0, echoes.get(0).indexOf(':'));
      assertThat(echoes).allMatch(e -> e.startsWith(instance + ":"));
      assertThat(echoes).extracting(e -> e.substring(e.indexOf(':') + 1)).containsExactly("m0", "m1", "m2", "m3", "m4");
      assertThat(g.targets().stream().mapToInt(t -> t.inFlight()).sum()).isEqualTo(1);
      ws.close().await();
      await().atMost(Duration.ofSeconds(5)).until(() -> g.targets().stream().mapToInt(t -> t.inFlight()).sum() == 0);
    }
    wsClient.close().await();
  }
}
