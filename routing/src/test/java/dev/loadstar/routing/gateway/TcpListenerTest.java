package dev.loadstar.routing.gateway;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.loadstar.core.TargetGroup;
import dev.loadstar.routing.TcpListener;
import io.vertx.core.Promise;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.net.NetClient;
import io.vertx.core.net.NetServer;
import io.vertx.core.net.NetSocket;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Consumer;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/** The "NLB": whole connections balanced across a group, bytes piped both ways, clean closes. */
class TcpListenerTest {

  private final GatewayFixture f = new GatewayFixture();
  private TcpListener tcp;

  @AfterEach
  void tearDown() {
    if (tcp != null) {
      tcp.close().await();
    }
    f.close();
  }

  /**
   * Connects to the listener, {@code setup} installing the socket's handlers in the connect callback on the event
   * loop, before anything can be delivered. Handlers set afterwards on the JUnit thread can miss the greeting or the
   * close when that thread is descheduled (a socket without a handler drops what it reads), as on a loaded machine.
   */
  private NetSocket connect(NetClient client, Consumer<NetSocket> setup) {
    Promise<NetSocket> connected = Promise.promise();
    f.vertx.runOnContext(v -> client.connect(tcp.actualPort(), "127.0.0.1").onComplete(ar -> {
      if (ar.succeeded()) {
        setup.accept(ar.result());
        connected.complete(ar.result());
      } else {
        connected.fail(ar.cause());
      }
    }));
    return connected.future().await();
  }

  private int echoServer(String id, AtomicInteger closes) {
    NetServer s = f.vertx.createNetServer().connectHandler(sock -> {
      sock.write(id + "\n");
      sock.handler(sock::write);
      sock.closeHandler(v -> closes.incrementAndGet());
    }).listen(0, "127.0.0.1").await();
    return s.actualPort();
  }

  @Test
  void connectionsAreBalancedAndEachStaysOnItsTarget() {
    AtomicInteger backendCloses = new AtomicInteger();
    TargetGroup g = f.group("tcp", echoServer("t-a", backendCloses), echoServer("t-b", backendCloses));
    tcp = TcpListener.create(f.vertx, "127.0.0.1", 0, g);
    tcp.start().await();
    NetClient client = f.vertx.createNetClient();
    Set<String> targets = new HashSet<>();
    for (int c = 0; c < 4; c++) {
      StringBuilder got = new StringBuilder();
      NetSocket sock = connect(client, s -> s.handler(b -> {
        synchronized (got) {
          got.append(b.toString());
        }
      }));
      for (int i = 0; i < 3; i++) {
        sock.write(Buffer.buffer("ping" + i + ";")).await();
      }
      await().atMost(Duration.ofSeconds(5)).until(() -> {
        synchronized (got) {
          return got.toString().endsWith("ping0;ping1;ping2;");
        }
      });
      String greeting = got.substring(0, got.indexOf("\n"));
      targets.add(greeting);
      assertThat(got.toString()).isEqualTo(greeting + "\nping0;ping1;ping2;");
      assertThat(tcp.activeConnections()).isEqualTo(1);
      sock.close().await();
      int expectedCloses = c + 1;
      await().atMost(Duration.ofSeconds(5)).until(() -> backendCloses.get() == expectedCloses
          && tcp.activeConnections() == 0);
    }
    assertThat(targets).containsExactlyInAnyOrder("t-a", "t-b");
    // the listener leaves its active count before it ends the connection's request on the target
    await().atMost(Duration.ofSeconds(10)).untilAsserted(() ->
        assertThat(g.targets().stream().mapToLong(t -> t.requestCount()).sum()).isEqualTo(4));
    client.close().await();
  }

  @Test
  void backendCloseClosesTheClientAndARefusingTargetIsSkipped() {
    NetServer closer = f.vertx.createNetServer().connectHandler(sock -> sock.end(Buffer.buffer("bye")))
        .listen(0, "127.0.0.1").await();
    TargetGroup g = f.group("tcp", closer.actualPort(), f.refusingPort());
    tcp = TcpListener.create(f.vertx, "127.0.0.1", 0, g);
    tcp.start().await();
    NetClient client = f.vertx.createNetClient();
    List<String> received = new ArrayList<>();
    for (int c = 0; c < 4; c++) {
      StringBuilder got = new StringBuilder();
      AtomicInteger closed = new AtomicInteger();
      connect(client, s -> {
        s.handler(b -> got.append(b.toString()));
        s.closeHandler(v -> closed.incrementAndGet());
      });
      await().atMost(Duration.ofSeconds(5)).until(() -> closed.get() == 1);
      received.add(got.toString());
    }
    assertThat(received).containsOnly("bye");
    assertThat(tcp.rejectedConnections()).isZero();
    await().atMost(Duration.ofSeconds(5)).until(() -> tcp.activeConnections() == 0);
    client.close().await();
  }

  @Test
  void aConnectionBeyondTheLimitIsClosedAndCountedAndAFreedPlaceIsTakenAgain() {
    AtomicInteger backendCloses = new AtomicInteger();
    TargetGroup g = f.group("tcp", echoServer("t-a", backendCloses));
    tcp = TcpListener.builder(f.vertx).host("127.0.0.1").port(0).targetGroup(g).maxConnections(2).build();
    tcp.start().await();
    NetClient client = f.vertx.createNetClient();
    List<StringBuilder> got = new ArrayList<>();
    List<AtomicInteger> closed = new ArrayList<>();
    List<NetSocket> socks = new ArrayList<>();
    for (int c = 0; c < 3; c++) {
      StringBuilder text = new StringBuilder();
      AtomicInteger closes = new AtomicInteger();
      got.add(text);
      closed.add(closes);
      socks.add(connect(client, s -> {
        s.handler(b -> {
          synchronized (text) {
            text.append(b.toString());
          }
        });
        s.closeHandler(v -> closes.incrementAndGet());
      }));
      if (c < 2) {
        await().atMost(Duration.ofSeconds(10)).untilAsserted(() -> {
          synchronized (text) {
            assertThat(text.toString()).startsWith("t-a");
          }
        });
      }
    }
    await().atMost(Duration.ofSeconds(10)).untilAsserted(() -> assertThat(closed.get(2).get()).isEqualTo(1));
    synchronized (got.get(2)) {
      assertThat(got.get(2).toString()).as("the third connection never reached the target").isEmpty();
    }
    assertThat(tcp.rejectedConnections()).isEqualTo(1);
    assertThat(closed.get(0).get() + closed.get(1).get()).isZero();
    socks.get(0).close().await();
    // the listener frees the place when it sees the close, in the same event-loop turn as it closes the target side
    await().atMost(Duration.ofSeconds(10)).untilAsserted(() -> assertThat(backendCloses.get()).isEqualTo(1));
    StringBuilder again = new StringBuilder();
    connect(client, s -> s.handler(b -> {
      synchronized (again) {
        again.append(b.toString());
      }
    }));
    await().atMost(Duration.ofSeconds(10)).untilAsserted(() -> {
      synchronized (again) {
        assertThat(again.toString()).startsWith("t-a");
      }
    });
    assertThat(tcp.rejectedConnections()).isEqualTo(1);
  }
}
