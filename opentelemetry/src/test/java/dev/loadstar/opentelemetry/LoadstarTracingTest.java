package dev.loadstar.opentelemetry;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.loadstar.core.LoadBalancedClient;
import dev.loadstar.core.LoadBalancedClientOptions;
import dev.loadstar.core.Target;
import dev.loadstar.core.TargetGroup;
import dev.loadstar.core.TargetGroupConfig;
import dev.loadstar.core.TraceContext;
import dev.loadstar.routing.Action;
import dev.loadstar.routing.HttpListener;
import dev.loadstar.routing.ListenerConfig;
import dev.loadstar.routing.RuleSet;
import io.opentelemetry.api.common.AttributeKey;
import io.opentelemetry.api.trace.Span;
import io.opentelemetry.api.trace.SpanKind;
import io.opentelemetry.context.Scope;
import io.opentelemetry.sdk.OpenTelemetrySdk;
import io.opentelemetry.sdk.testing.exporter.InMemorySpanExporter;
import io.opentelemetry.sdk.trace.SdkTracerProvider;
import io.opentelemetry.sdk.trace.data.SpanData;
import io.opentelemetry.sdk.trace.export.SimpleSpanProcessor;
import io.vertx.core.Vertx;
import io.vertx.core.http.HttpClient;
import io.vertx.core.http.HttpMethod;
import io.vertx.core.http.HttpServer;
import io.vertx.core.http.RequestOptions;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * Spans through the OpenTelemetry API, recorded by the SDK's in-memory exporter: one client span per attempt (a retry
 * shows two), children of the gateway's server span or of the caller's span, each named in the {@code traceparent}
 * its target received.
 */
class LoadstarTracingTest {

  private static final String INCOMING = "00-0af7651916cd43dd8448eb211c80319c-b7ad6b7169203331-01";
  private static final AttributeKey<Long> ATTEMPT = AttributeKey.longKey("loadstar.attempt");
  private static final AttributeKey<String> OUTCOME = AttributeKey.stringKey("loadstar.outcome");
  private static final AttributeKey<String> TARGET = AttributeKey.stringKey("loadstar.target");
  private static final AttributeKey<Long> STATUS = AttributeKey.longKey("http.response.status_code");

  private final Vertx vertx = Vertx.vertx();
  private final InMemorySpanExporter exporter = InMemorySpanExporter.create();
  private final SdkTracerProvider provider = SdkTracerProvider.builder()
      .addSpanProcessor(SimpleSpanProcessor.create(exporter)).build();
  private final OpenTelemetrySdk otel = OpenTelemetrySdk.builder().setTracerProvider(provider).build();
  private final LoadstarTracing tracing = LoadstarTracing.create(otel);
  /** What each target received: "target traceparent". */
  private final List<String> received = new CopyOnWriteArrayList<>();

  @AfterEach
  void tearDown() {
    vertx.close().await();
    otel.close();
  }

  /** Two targets: one reads the request and drops the connection (a GET is retried), one answers. */
  private TargetGroup group() {
    HttpServer resetting = vertx.createHttpServer().requestHandler(req -> {
      received.add("resetting " + req.getHeader("traceparent"));
      req.connection().close();
    }).listen(0, "127.0.0.1").await();
    HttpServer live = vertx.createHttpServer().requestHandler(req -> {
      received.add("live " + req.getHeader("traceparent"));
      req.response().end("ok");
    }).listen(0, "127.0.0.1").await();
    TargetGroup g = TargetGroup.create(vertx, TargetGroupConfig.builder("app").healthCheckEnabled(false).build());
    g.register(Target.of("resetting", "127.0.0.1", resetting.actualPort()));
    g.register(Target.of("live", "127.0.0.1", live.actualPort()));
    return g;
  }

  private List<SpanData> spans(SpanKind kind) {
    return exporter.getFinishedSpanItems().stream().filter(s -> s.getKind() == kind).toList();
  }

  /** The span id a target saw as its parent, for each request it received, in order. */
  private List<String> parentIdsSeenBy(String target) {
    return received.stream().filter(r -> r.startsWith(target + " ")).map(r -> r.substring(target.length() + 1))
        .peek(tp -> assertThat(TraceContext.isValid(tp)).as(tp).isTrue())
        .map(tp -> tp.substring(36, 52)).toList();
  }

  @Test
  void theGatewayMakesAServerSpanPerRequestAndAClientSpanPerAttempt() {
    TargetGroup app = group();
    HttpListener listener = HttpListener.builder(vertx)
        .config(ListenerConfig.builder().name("web").host("127.0.0.1").port(0).build())
        .rules(RuleSet.of(Action.forward("app"))).targetGroups(n -> n.equals("app") ? app : null)
        .exchangeListeners(tracing.clientSpans()).requestStart(tracing.serverSpans()).build();
    listener.start().await();
    HttpClient client = vertx.createHttpClient();
    for (int i = 0; i < 2; i++) { // round robin: one of the two tries the resetting target first and is retried
      String body = client.request(new RequestOptions().setMethod(HttpMethod.GET).setHost("127.0.0.1")
              .setPort(listener.actualPort()).setURI("/r" + i).putHeader("traceparent", INCOMING))
          .compose(r -> r.send().compose(resp -> resp.body())).await().toString();
      assertThat(body).isEqualTo("ok");
    }
    await().atMost(Duration.ofSeconds(10)).until(() -> spans(SpanKind.SERVER).size() == 2
        && spans(SpanKind.CLIENT).size() == 3);

    List<SpanData> servers = spans(SpanKind.SERVER);
    List<SpanData> attempts = spans(SpanKind.CLIENT);
    // 2 requests, 3 attempts (one retried): one client span per attempt
    assertThat(received).hasSize(3);
    for (SpanData server : servers) {
      assertThat(server.getTraceId()).isEqualTo("0af7651916cd43dd8448eb211c80319c");
      assertThat(server.getParentSpanId()).isEqualTo("b7ad6b7169203331");
      assertThat(server.getAttributes().get(STATUS)).isEqualTo(200L);
      assertThat(server.getAttributes().get(AttributeKey.stringKey("loadstar.target_group"))).isEqualTo("app");
    }
    for (SpanData attempt : attempts) {
      assertThat(attempt.getTraceId()).isEqualTo("0af7651916cd43dd8448eb211c80319c");
      assertThat(servers).extracting(SpanData::getSpanId).contains(attempt.getParentSpanId());
    }
    SpanData retried = servers.stream().filter(s -> attempts.stream()
        .filter(a -> a.getParentSpanId().equals(s.getSpanId())).count() == 2).findFirst().orElseThrow();
    List<SpanData> retry = attempts.stream().filter(a -> a.getParentSpanId().equals(retried.getSpanId()))
        .sorted((a, b) -> Long.compare(a.getAttributes().get(ATTEMPT), b.getAttributes().get(ATTEMPT))).toList();
    assertThat(retry).extracting(a -> a.getAttributes().get(ATTEMPT)).containsExactly(1L, 2L);
    assertThat(retry).extracting(a -> a.getAttributes().get(TARGET)).containsExactly("resetting", "live");
    assertThat(retry).extracting(a -> a.getAttributes().get(OUTCOME)).containsExactly("RESET", "SUCCESS");
    assertThat(retry.get(1).getAttributes().get(STATUS)).isEqualTo(200L);
    assertThat(retry.get(1).getAttributes().get(AttributeKey.longKey("http.request.resend_count"))).isEqualTo(1L);
    // each target saw its own attempt's span as its parent
    assertThat(parentIdsSeenBy("resetting")).containsExactly(retry.get(0).getSpanId());
    assertThat(parentIdsSeenBy("live")).hasSize(2).contains(retry.get(1).getSpanId())
        .allMatch(id -> attempts.stream().anyMatch(a -> a.getSpanId().equals(id)));
    assertThat(tracing.heldParents()).isZero();
    listener.close().await();
  }

  @Test
  void theServerSpanAloneIsTheParentTheTargetSees() {
    HttpServer live = vertx.createHttpServer().requestHandler(req -> {
      received.add("live " + req.getHeader("traceparent"));
      req.response().end("ok");
    }).listen(0, "127.0.0.1").await();
    TargetGroup app = TargetGroup.create(vertx, TargetGroupConfig.builder("app").build());
    app.register(Target.of("live", "127.0.0.1", live.actualPort()));
    HttpListener listener = HttpListener.builder(vertx)
        .config(ListenerConfig.builder().name("web").host("127.0.0.1").port(0).build())
        .rules(RuleSet.of(Action.forward("app"))).targetGroups(n -> n.equals("app") ? app : null)
        .requestStart(tracing.serverSpans()).build();
    listener.start().await();
    vertx.createHttpClient().request(HttpMethod.GET, listener.actualPort(), "127.0.0.1", "/")
        .compose(r -> r.send().compose(resp -> resp.body())).await();
    await().atMost(Duration.ofSeconds(10)).until(() -> spans(SpanKind.SERVER).size() == 1);
    SpanData server = spans(SpanKind.SERVER).get(0);
    assertThat(server.getParentSpanId()).isEqualTo("0000000000000000"); // no incoming trace: a root span
    assertThat(parentIdsSeenBy("live")).containsExactly(server.getSpanId());
    listener.close().await();
  }

  @Test
  void theClientMakesAChildSpanOfTheCallersSpanPerAttempt() {
    TargetGroup app = group();
    LoadBalancedClient client = LoadBalancedClient.create(vertx, new LoadBalancedClientOptions(),
        tracing.clientSpans()).addTargetGroup(app);
    Span caller = otel.getTracer("app").spanBuilder("checkout").startSpan();
    try (Scope ignored = caller.makeCurrent()) {
      for (int i = 0; i < 2; i++) {
        // sent from the test thread: the current context travels on the request as traceparent
        assertThat(tracing.propagate(client.get("app", "/")).send().await().statusCode()).isEqualTo(200);
      }
    } finally {
      caller.end();
    }
    await().atMost(Duration.ofSeconds(10)).until(() -> spans(SpanKind.CLIENT).size() == 3);
    List<SpanData> attempts = spans(SpanKind.CLIENT);
    assertThat(attempts).allMatch(a -> a.getParentSpanId().equals(caller.getSpanContext().getSpanId())
        && a.getTraceId().equals(caller.getSpanContext().getTraceId()));
    assertThat(attempts).extracting(a -> a.getAttributes().get(OUTCOME))
        .containsExactlyInAnyOrder("RESET", "SUCCESS", "SUCCESS");
    SpanData reset = attempts.stream().filter(a -> a.getAttributes().get(OUTCOME).equals("RESET")).findFirst()
        .orElseThrow();
    assertThat(reset.getAttributes().get(ATTEMPT)).isEqualTo(1L);
    assertThat(attempts).filteredOn(a -> a.getAttributes().get(ATTEMPT) == 2L).hasSize(1)
        .allMatch(a -> a.getAttributes().get(TARGET).equals("live"));
    assertThat(parentIdsSeenBy("resetting")).containsExactly(reset.getSpanId());
    assertThat(parentIdsSeenBy("live")).hasSize(2)
        .allMatch(id -> attempts.stream().anyMatch(a -> a.getSpanId().equals(id)));
    client.close().await();
  }

  @Test
  void onTheClientsOwnContextTheCurrentSpanIsTheParentWithoutPropagating() {
    TargetGroup app = group();
    LoadBalancedClient client = LoadBalancedClient.create(vertx, new LoadBalancedClientOptions(),
        tracing.clientSpans()).addTargetGroup(app);
    io.vertx.core.Context ctx = vertx.getOrCreateContext();
    Span caller = otel.getTracer("app").spanBuilder("on-loop").startSpan();
    io.vertx.core.Promise<Integer> done = io.vertx.core.Promise.promise();
    ctx.runOnContext(v -> {
      try (Scope ignored = caller.makeCurrent()) {
        client.get("app", "/").send().onComplete(ar -> done.handle(ar.map(r -> r.statusCode())));
      }
    });
    assertThat(done.future().await()).isEqualTo(200);
    caller.end();
    await().atMost(Duration.ofSeconds(10)).until(() -> !spans(SpanKind.CLIENT).isEmpty());
    assertThat(spans(SpanKind.CLIENT)).allMatch(a -> a.getParentSpanId().equals(caller.getSpanContext().getSpanId()));
    client.close().await();
  }
}
