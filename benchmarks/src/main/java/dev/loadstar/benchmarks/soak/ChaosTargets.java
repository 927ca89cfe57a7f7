package dev.loadstar.benchmarks.soak;

import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.http.HttpMethod;
import io.vertx.core.http.HttpServer;
import io.vertx.core.http.HttpServerOptions;
import io.vertx.core.http.HttpServerRequest;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.List;
import java.util.Set;
import java.util.SplittableRandom;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;

/**
 * The soak's targets: Vert.x HTTP servers on 127.0.0.1 that answer {@code GET /health} with 200 and every other
 * request, once its body is read, with {@code 200 "<id> <METHOD> read <n>"} — healthy at once, slow after a delay,
 * or (the resetting one) by closing the connection mid-request with an RST instead. The target that gets killed runs
 * in a child JVM ({@link ChildTarget}), so its death is a real SIGKILL.
 */
final class ChaosTargets {

  /** How a target answers. */
  enum Behaviour {
    HEALTHY, SLOW, RESETS
  }

  /** What the resetting target did, by method, and the ids of the POSTs it cut (until {@link #claim}ed). */
  static final class ResetCounts {
    final AtomicLong get = new AtomicLong();
    final AtomicLong post = new AtomicLong();
    private final Set<String> postIds = ConcurrentHashMap.newKeySet();

    /** Whether this target cut the POST with this id (each id answers true once). */
    boolean claim(String id) {
      return id != null && postIds.remove(id);
    }
  }

  private ChaosTargets() {
  }

  /**
   * Starts one target on {@code port} (0: any). {@code RESETS} closes {@code resetPercent} % of the connections of
   * non-health requests as soon as their headers arrive (SO_LINGER 0: the peer sees a reset) and counts them.
   */
  static Future<HttpServer> serve(Vertx vertx, int port, String id, Behaviour behaviour, long slowMs,
      int resetPercent, ResetCounts resets) {
    SplittableRandom random = new SplittableRandom(id.hashCode());
    HttpServerOptions options = new HttpServerOptions().setHost("127.0.0.1").setPort(port).setReuseAddress(true);
    if (behaviour == Behaviour.RESETS) {
      options.setSoLinger(0);
    }
    return vertx.createHttpServer(options).requestHandler(req -> {
      if ("/health".equals(req.path())) {
        req.response().end("ok");
        return;
      }
      if (behaviour == Behaviour.RESETS && random.nextInt(100) < resetPercent) {
        if (req.method() == HttpMethod.POST) {
          resets.post.incrementAndGet();
          String requestId = req.getHeader(OpenLoopLoad.ID_HEADER);
          if (requestId != null) {
            resets.postIds.add(requestId);
          }
        } else {
          resets.get.incrementAndGet();
        }
        req.connection().close();
        return;
      }
      req.body().onComplete(ar -> {
        if (ar.failed()) {
          return; // the gateway went away mid-request
        }
        String answer = id + " " + req.method() + " read " + ar.result().length() + "\n";
        if (behaviour == Behaviour.SLOW) {
          vertx.setTimer(slowMs, t -> answer(req, answer));
        } else {
          answer(req, answer);
        }
      });
    }).listen();
  }

  private static void answer(HttpServerRequest req, String body) {
    req.response().putHeader("content-type", "text/plain").end(body);
  }

  /** A healthy target in a child JVM of this class path: started, SIGKILLed and started again on the same port. */
  static final class ChildTarget {
    private final String id;
    private final int port;
    private volatile Process process;

    ChildTarget(String id, int port) {
      this.id = id;
      this.port = port;
    }

    /** Starts the child JVM and waits until it listens. */
    void start() throws IOException {
      String java = Path.of(System.getProperty("java.home"), "bin", "java").toString();
      // small and quick to start: it only has to answer while it lives
      Process p = new ProcessBuilder(List.of(java, "-Xmx64m", "-XX:+UseSerialGC", "-XX:TieredStopAtLevel=1",
          "-cp", System.getProperty("java.class.path"), SoakChaos.class.getName(), "--serve-target",
          Integer.toString(port), id))
          .redirectError(ProcessBuilder.Redirect.INHERIT)
          .start();
      BufferedReader out = new BufferedReader(new InputStreamReader(p.getInputStream(), StandardCharsets.UTF_8));
      String line;
      while ((line = out.readLine()) != null) {
        if (line.startsWith("PORT ")) {
          process = p;
          return;
        }
      }
      p.destroyForcibly();
      throw new IOException("target " + id + " exited before listening on " + port);
    }

    /** SIGKILL: the kernel resets its connections and refuses new ones until it is started again. */
    void kill() throws InterruptedException {
      Process p = process;
      if (p != null) {
        p.destroyForcibly(); // SIGKILL on Linux
        p.waitFor(10, TimeUnit.SECONDS);
        process = null;
      }
    }

    int port() {
      return port;
    }
  }

  /** The child JVM's main: serves one healthy target on the given port until stdin closes or it is killed. */
  static void serveChild(int port, String id) throws Exception {
    Vertx vertx = Vertx.vertx();
    HttpServer server = serve(vertx, port, id, Behaviour.HEALTHY, 0, 0, null).await();
    System.out.println("PORT " + server.actualPort());
    System.out.flush();
    while (System.in.read() >= 0) {
      // discard; the parent closes stdin (or kills us)
    }
    vertx.close().await();
  }
}
