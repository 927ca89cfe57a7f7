package dev.loadstar.routing.gateway;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.loadstar.core.Exchange;
import dev.loadstar.core.TraceContext;
import dev.loadstar.routing.Action;
import dev.loadstar.routing.HttpListener;
import dev.loadstar.routing.ListenerConfig;
import dev.loadstar.routing.RequestRecord;
import dev.loadstar.routing.RequestScope;
import dev.loadstar.routing.RuleSet;
import io.vertx.core.MultiMap;
import io.vertx.core.http.HttpServer;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * W3C trace context beside ALB's {@code X-Amzn-Trace-Id}: passed on when valid, started when absent or invalid, one
 * trace id in both headers; and the listener's request start hook, which may name its own span in the headers.
 */
class TraceHeadersTest {

  private static final String PARENT = "00-0af7651916cd43dd8448eb211c80319c-b7ad6b7169203331-01";

  private final GatewayFixture f = new GatewayFixture();
  private final AtomicReference<MultiMap> seen = new AtomicReference<>();

  @AfterEach
  void tearDown() {
    f.close();
  }

  private void start() {
    HttpServer s = f.vertx.createHttpServer().requestHandler(req -> {
      seen.set(MultiMap.caseInsensitiveMultiMap().addAll(req.headers()));
      req.response().end("ok");
    }).listen(0, "127.0.0.1").await();
    f.group("web", s.actualPort());
    f.start(RuleSet.of(Action.forward("web")), ListenerConfig.builder());
  }

  private static String rootOf(String amazon) {
    for (String part : amazon.split(";")) {
      if (part.startsWith("Root=1-")) {
        return part.substring(7).replace("-", "");
      }
    }
    throw new AssertionError("no Root in " + amazon);
  }

  @Test
  void aRequestWithoutTraceHeadersStartsOneTraceInBoth() {
    start();
    f.get("/");
    MultiMap h = seen.get();
    String tp = h.get("traceparent");
    assertThat(TraceContext.isValid(tp)).as(tp).isTrue();
    assertThat(tp).matches("00-[0-9a-f]{32}-[0-9a-f]{16}-01");
    assertThat(h.get("X-Amzn-Trace-Id")).matches("Root=1-[0-9a-f]{8}-[0-9a-f]{24}");
    assertThat(rootOf(h.get("X-Amzn-Trace-Id"))).isEqualTo(TraceContext.traceId(tp));
    assertThat(h.contains("tracestate")).isFalse();
  }

  @Test
  void aValidTraceparentAndItsTracestatePassUnchanged() {
    start();
    f.get("/", GatewayFixture.headers("traceparent", PARENT, "tracestate", "vendor=abc,other=1"));
    MultiMap h = seen.get();
    assertThat(h.get("traceparent")).isEqualTo(PARENT);
    assertThat(h.get("tracestate")).isEqualTo("vendor=abc,other=1");
    assertThat(h.get("X-Amzn-Trace-Id")).isEqualTo("Root=1-0af76519-16cd43dd8448eb211c80319c");
  }

  @Test
  void anInvalidTraceparentIsReplacedAndItsTracestateDropped() {
    start();
    for (String bad : List.of("00-00000000000000000000000000000000-b7ad6b7169203331-01",
        "00-0AF7651916CD43DD8448EB211C80319C-b7ad6b7169203331-01", "ff-0af7651916cd43dd8448eb211c80319c-b7ad6b7169203331-01",
        "00-0af7651916cd43dd8448eb211c80319c-0000000000000000-01", "00-0af7651916cd43dd8448eb211c80319c-b7ad6b7169203331-01-x",
        "garbage")) {
      f.get("/", GatewayFixture.headers("traceparent", bad, "tracestate", "vendor=abc"));
      MultiMap h = seen.get();
      assertThat(h.get("traceparent")).as(bad).isNotEqualTo(bad).matches("00-[0-9a-f]{32}-[0-9a-f]{16}-01");
      assertThat(h.contains("tracestate")).as(bad).isFalse();
    }
  }

  @Test
  void anAmazonRootBecomesTheTraceIdOfTheTraceparentStarted() {
    start();
    f.get("/", GatewayFixture.headers("X-Amzn-Trace-Id", "Root=1-5759e988-bd862e3fe1be46a994272793;Sampled=1"));
    MultiMap h = seen.get();
    assertThat(TraceContext.traceId(h.get("traceparent"))).isEqualTo("5759e988bd862e3fe1be46a994272793");
    assertThat(h.get("X-Amzn-Trace-Id")).startsWith("Self=1-")
        .endsWith(";Root=1-5759e988-bd862e3fe1be46a994272793;Sampled=1");
  }

  @Test
  void laterTraceparentVersionsAreContinued() {
    assertThat(TraceContext.isValid("01-0af7651916cd43dd8448eb211c80319c-b7ad6b7169203331-01-what-the-future-holds"))
        .isTrue();
    assertThat(TraceContext.isValid("01-0af7651916cd43dd8448eb211c80319c-b7ad6b7169203331-01x")).isFalse();
    assertThat(TraceContext.isValid(PARENT + "-")).isFalse();
  }

  @Test
  void theRequestStartHookFollowsEachRequestAndMayNameItsSpanInTheForwardedHeaders() {
    HttpServer s = f.vertx.createHttpServer().requestHandler(req -> {
      seen.set(MultiMap.caseInsensitiveMultiMap().addAll(req.headers()));
      req.response().end("ok");
    }).listen(0, "127.0.0.1").await();
    f.group("web", s.actualPort());
    List<String> events = new CopyOnWriteArrayList<>();
    String mine = "00-11111111111111111111111111111111-2222222222222222-01";
    f.listener = HttpListener.builder(f.vertx)
        .config(ListenerConfig.builder().host("127.0.0.1").port(0).build())
        .rules(RuleSet.builder().rule(dev.loadstar.routing.Rule.of(1, Action.fixedResponse(204, null, null),
            dev.loadstar.routing.Condition.pathPattern("/fixed"))).defaultAction(Action.forward("web")).build())
        .targetGroups(f.groups::get)
        .requestStart(req -> {
          events.add("started " + req.path());
          return new RequestScope() {
            @Override
            public void forwarding(Exchange exchange, MultiMap headers) {
              events.add("forwarding to " + exchange.group().name() + " attempt " + exchange.attempt());
              headers.set("traceparent", mine);
            }

            @Override
            public void ended(RequestRecord record) {
              events.add("ended " + record.statusCode());
            }
          };
        })
        .build();
    f.listener.start().await();
    f.get("/a");
    assertThat(seen.get().get("traceparent")).isEqualTo(mine);
    await().atMost(Duration.ofSeconds(10)).until(() -> events.size() == 3);
    f.get("/fixed");
    await().atMost(Duration.ofSeconds(10)).until(() -> events.size() == 5);
    assertThat(events).containsExactly("started /a", "forwarding to web attempt 0", "ended 200", "started /fixed",
        "ended 204");
  }
}
