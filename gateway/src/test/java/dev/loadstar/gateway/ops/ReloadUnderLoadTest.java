package dev.loadstar.gateway.ops;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.loadstar.gateway.GatewayRuntime;
import dev.loadstar.gateway.config.ConfigException;
import dev.loadstar.gateway.config.GatewayConfig;
import dev.loadstar.gateway.support.Http;
import io.vertx.core.Vertx;
import io.vertx.core.http.HttpClient;
import io.vertx.core.http.HttpClientOptions;
import io.vertx.core.http.HttpMethod;
import io.vertx.core.http.HttpServer;
import io.vertx.core.http.PoolOptions;
import io.vertx.core.http.RequestOptions;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * Under steady load, ten reloads alternating two valid files (rules, group attributes, health checks and a group
 * added and removed all change) and one invalid file: no request fails, the invalid file changes nothing, and each
 * reload's rules answer the next request.
 */
@Timeout(120)
class ReloadUnderLoadTest {

  private static final int CONCURRENCY = 4;

  private final Vertx vertx = Vertx.vertx();
  private GatewayRuntime runtime;

  @AfterEach
  void tearDown() {
    if (runtime != null) {
      runtime.close().await();
    }
    vertx.close().await();
  }

  private int backend(String name) {
    HttpServer s = vertx.createHttpServer().requestHandler(req -> req.response().end(name))
        .listen(0, "127.0.0.1").await();
    return s.actualPort();
  }

  /** Config A or B: {@code /which} answers the letter; the default rule forwards to blue (A) or green (B). */
  static String config(String letter, int blue, int green) {
    boolean a = letter.equals("A");
    return """
        admin: {port: 0}
        listeners:
          - name: web
            host: 127.0.0.1
            port: 0
            rules:
              - priority: 10
                conditions: [{field: path-pattern, values: [/which]}]
                actions: [{type: fixed-response, fixedResponseConfig: {statusCode: 200, messageBody: %s}}]
            defaultActions: [{type: forward, targetGroupName: %s}]
        targetGroups:
          - name: blue
            healthCheck: {intervalSeconds: %s, timeoutSeconds: 0.2, embedded: true}
            targets: [{id: b1, host: 127.0.0.1, port: %d}]
          - name: green
            attributes: {deregistration_delay.timeout_seconds: %d}
            healthCheck: {intervalSeconds: 0.5, timeoutSeconds: 0.2, embedded: true}
            targets: [{id: g1, host: 127.0.0.1, port: %d}]
        %s
        """.formatted(letter, a ? "blue" : "green", a ? "0.5" : "0.6", blue, a ? 5 : 6, green,
        a ? "" : """
              - name: extra
                healthCheck: {enabled: false}
                targets: [{id: e1, host: 127.0.0.1, port: %d}]
            """.formatted(green));
  }

  @Test
  void tenReloadsUnderLoadFailNoRequestAndApplyTheirRulesAtOnce(@TempDir Path dir) throws Exception {
    int blue = backend("blue");
    int green = backend("green");
    Path file = dir.resolve("gw.yaml");
    Files.writeString(file, config("A", blue, green));
    runtime = GatewayRuntime.create(vertx, GatewayConfig.load(file, Map.<String, String>of()::get));
    runtime.start().await();
    int port = runtime.listenerPort("web");

    // steady load: CONCURRENCY loops, each sending its next GET / when the previous one answered
    HttpClient load = vertx.createHttpClient(new HttpClientOptions().setKeepAlive(true),
        new PoolOptions().setHttp1MaxSize(CONCURRENCY));
    AtomicBoolean stop = new AtomicBoolean();
    AtomicLong ok = new AtomicLong();
    List<String> failures = new CopyOnWriteArrayList<>();
    List<CompletableFuture<Void>> loops = new ArrayList<>();
    for (int i = 0; i < CONCURRENCY; i++) {
      CompletableFuture<Void> done = new CompletableFuture<>();
      loops.add(done);
      vertx.runOnContext(v -> send(load, port, stop, ok, failures, done));
    }

    try (Http http = new Http(vertx)) {
      assertThat(http.get(port, "/which").body()).isEqualTo("A");
      List<Long> effectMillis = new ArrayList<>();
      for (int i = 1; i <= 10; i++) {
        if (i == 6) {
          // an invalid file: reported with every error, nothing changed
          Files.writeString(file, config("B", blue, green).replace("intervalSeconds: 0.6", "intervalSeconds: -1")
              .replace("statusCode: 200", "statusCode: 999"));
          assertThatThrownBy(() -> runtime.reload().await())
              .isInstanceOfSatisfying(ConfigException.class, e -> assertThat(e.errors()).hasSize(2));
          assertThat(http.get(port, "/which").body()).isEqualTo("B"); // reload 5 applied B
        }
        String letter = i % 2 == 1 ? "B" : "A";
        Files.writeString(file, config(letter, blue, green));
        List<String> changes = runtime.reload().await();
        long applied = System.nanoTime();
        assertThat(changes).contains("listener web: rules replaced");
        // the first request after the reload completed sees its rules
        assertThat(http.get(port, "/which").body()).as("reload %d", i).isEqualTo(letter);
        effectMillis.add(TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - applied));
        assertThat(http.get(port, "/").body()).isEqualTo(letter.equals("A") ? "blue" : "green");
        long before = ok.get();
        org.awaitility.Awaitility.await().atMost(java.time.Duration.ofSeconds(10)).until(() -> ok.get() > before + 20);
      }
      // each reload's new rules answered the first request after it, well within a second
      assertThat(effectMillis).hasSize(10).allMatch(ms -> ms < 1000);
    }
    stop.set(true);
    CompletableFuture.allOf(loops.toArray(new CompletableFuture<?>[0])).get(30, TimeUnit.SECONDS);
    assertThat(failures).isEmpty();
    assertThat(ok.get()).isGreaterThan(200);
    assertThat(runtime.targetGroups().keySet()).containsExactly("blue", "green"); // A again: extra removed
  }

  private static void send(HttpClient client, int port, AtomicBoolean stop, AtomicLong ok, List<String> failures,
      CompletableFuture<Void> done) {
    if (stop.get()) {
      done.complete(null);
      return;
    }
    client.request(new RequestOptions().setMethod(HttpMethod.GET).setHost("127.0.0.1").setPort(port).setURI("/")
            .setIdleTimeout(10_000))
        .compose(r -> r.send().compose(resp -> resp.body().map(b -> resp.statusCode() + " " + b)))
        .onComplete(ar -> {
          if (ar.succeeded() && ar.result().startsWith("200 ")) {
            ok.incrementAndGet();
          } else {
            failures.add(ar.succeeded() ? ar.result() : String.valueOf(ar.cause()));
          }
          send(client, port, stop, ok, failures, done);
        });
  }
}
