package dev.loadstar.routing.gateway;

import static org.assertj.core.api.Assertions.assertThat;

import dev.loadstar.core.TargetGroupConfig;
import dev.loadstar.core.TargetGroupConfig.ProtocolVersion;
import dev.loadstar.routing.Action;
import dev.loadstar.routing.Condition;
import dev.loadstar.routing.ListenerConfig;
import dev.loadstar.routing.Rule;
import dev.loadstar.routing.RuleSet;
import dev.loadstar.routing.TlsConfig;
import io.vertx.core.Future;
import io.vertx.core.MultiMap;
import io.vertx.core.Promise;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.HttpClient;
import io.vertx.core.http.HttpClientOptions;
import io.vertx.core.http.HttpMethod;
import io.vertx.core.http.HttpServer;
import io.vertx.core.http.HttpServerOptions;
import io.vertx.core.http.HttpVersion;
import io.vertx.core.http.RequestOptions;
import io.vertx.core.net.PemKeyCertOptions;
import io.vertx.core.net.SocketAddress;
import io.vertx.grpc.client.GrpcClient;
import io.vertx.grpc.common.GrpcMessageDecoder;
import io.vertx.grpc.common.GrpcMessageEncoder;
import io.vertx.grpc.common.GrpcStatus;
import io.vertx.grpc.common.ServiceMethod;
import io.vertx.grpc.common.ServiceName;
import io.vertx.grpc.server.GrpcServer;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * gRPC and HTTP/2 through the gateway with real Vert.x gRPC clients and servers: round robin across two servers,
 * unary and server-streaming calls, status, messages and trailers as the servers sent them; HTTP/2 to targets over TLS
 * (ALPN) and in cleartext (prior knowledge); ALB's 464 for requests that do not fit the group's protocol version.
 */
class GrpcGatewayTest {

  private static final ServiceName ECHO = ServiceName.create("loadstar.test.Echo");
  private static final ServiceMethod<Buffer, Buffer> SAY =
      ServiceMethod.client(ECHO, "Say", GrpcMessageEncoder.IDENTITY, GrpcMessageDecoder.IDENTITY);
  private static final ServiceMethod<Buffer, Buffer> COUNT =
      ServiceMethod.client(ECHO, "Count", GrpcMessageEncoder.IDENTITY, GrpcMessageDecoder.IDENTITY);
  private static final ServiceMethod<Buffer, Buffer> FIND =
      ServiceMethod.client(ECHO, "Find", GrpcMessageEncoder.IDENTITY, GrpcMessageDecoder.IDENTITY);
  private static final ServiceMethod<Buffer, Buffer> COLLECT =
      ServiceMethod.client(ECHO, "Collect", GrpcMessageEncoder.IDENTITY, GrpcMessageDecoder.IDENTITY);
  private static final ServiceMethod<Buffer, Buffer> CHAT =
      ServiceMethod.client(ECHO, "Chat", GrpcMessageEncoder.IDENTITY, GrpcMessageDecoder.IDENTITY);

  private final GatewayFixture f = new GatewayFixture();
  private final TestPki pki = new TestPki();
  private final TestPki.Issued cert = pki.selfSigned("grpc.example.test");

  /** What a call returned: status, message, the messages received, the response's headers and trailers. */
  record Call(GrpcStatus status, String message, List<String> messages, MultiMap headers, MultiMap trailers) {
  }

  @AfterEach
  void tearDown() {
    f.close();
    pki.close();
  }

  private HttpServerOptions serverOptions(boolean tls) {
    HttpServerOptions o = new HttpServerOptions();
    if (tls) {
      o.setSsl(true).setUseAlpn(true).setKeyCertOptions(new PemKeyCertOptions().setCertPath(cert.cert())
          .setKeyPath(cert.key()));
    }
    return o;
  }

  /**
   * A gRPC server: {@code Say} answers {@code id:payload} with an {@code x-served-by} trailer; {@code Count} streams
   * {@code n} messages {@code id-i}; {@code Find} answers NOT_FOUND with a message and no data; {@code Collect}
   * answers the messages it received, joined, once the call's request ends; {@code Chat} echoes each message as it
   * arrives.
   */
  private int grpcServer(String id, boolean tls) {
    GrpcServer grpc = GrpcServer.server(f.vertx);
    grpc.callHandler(ServiceMethod.server(ECHO, "Say", GrpcMessageEncoder.IDENTITY, GrpcMessageDecoder.IDENTITY),
        call -> call.last().onSuccess(msg -> {
          call.response().trailers().set("x-served-by", id);
          call.response().end(Buffer.buffer(id + ":" + msg));
        }));
    grpc.callHandler(ServiceMethod.server(ECHO, "Count", GrpcMessageEncoder.IDENTITY, GrpcMessageDecoder.IDENTITY),
        call -> call.last().onSuccess(msg -> {
          int n = Integer.parseInt(msg.toString());
          for (int i = 1; i <= n; i++) {
            call.response().write(Buffer.buffer(id + "-" + i));
          }
          call.response().trailers().set("x-count", Integer.toString(n));
          call.response().end();
        }));
    grpc.callHandler(ServiceMethod.server(ECHO, "Find", GrpcMessageEncoder.IDENTITY, GrpcMessageDecoder.IDENTITY),
        call -> call.last().onSuccess(msg -> call.response().status(GrpcStatus.NOT_FOUND)
            .statusMessage("no such thing: " + msg + " (on " + id + ")").end()));
    grpc.callHandler(ServiceMethod.server(ECHO, "Collect", GrpcMessageEncoder.IDENTITY, GrpcMessageDecoder.IDENTITY),
        call -> {
          List<String> got = new ArrayList<>();
          call.handler(m -> got.add(m.toString()));
          call.endHandler(v -> call.response().end(Buffer.buffer(String.join("+", got))));
        });
    grpc.callHandler(ServiceMethod.server(ECHO, "Chat", GrpcMessageEncoder.IDENTITY, GrpcMessageDecoder.IDENTITY),
        call -> {
          call.handler(m -> call.response().write(Buffer.buffer("echo:" + m)));
          call.endHandler(v -> call.response().end());
        });
    HttpServer s = f.vertx.createHttpServer(serverOptions(tls)).requestHandler(grpc).listen(0, "127.0.0.1").await();
    return s.actualPort();
  }

  private GrpcClient grpcClient(boolean tls) {
    HttpClientOptions o = new HttpClientOptions().setProtocolVersion(HttpVersion.HTTP_2)
        .setHttp2ClearTextUpgrade(false);
    if (tls) {
      o.setSsl(true).setUseAlpn(true).setTrustAll(true).setVerifyHost(false);
    }
    return GrpcClient.client(f.vertx, o);
  }

  private Call call(GrpcClient client, ServiceMethod<Buffer, Buffer> method, String payload) {
    SocketAddress gateway = SocketAddress.inetSocketAddress(f.listener.actualPort(), "127.0.0.1");
    List<String> received = new ArrayList<>();
    return client.request(gateway, method).compose(req -> req.send(Buffer.buffer(payload)).compose(resp -> {
      resp.handler(m -> received.add(m.toString()));
      return resp.end().transform(ended -> Future.succeededFuture(new Call(resp.status(), resp.statusMessage(),
          List.copyOf(received), resp.headers(), resp.trailers())));
    })).timeout(GatewayFixture.RESPONSE_TIMEOUT.toMillis(), TimeUnit.MILLISECONDS).await();
  }

  private void gateway(boolean tls, TargetGroupConfig.Protocol targets, ProtocolVersion version, int... ports) {
    f.group("svc", TargetGroupConfig.builder("svc").protocol(targets).protocolVersion(version), ports);
    ListenerConfig.Builder config = ListenerConfig.builder().eventLoops(2);
    if (tls) {
      config.tls(TlsConfig.builder().certificate(cert.cert(), cert.key()).build());
    }
    f.start(RuleSet.of(Action.forward("svc")), config);
  }

  @ParameterizedTest(name = "TLS to targets and listener: {0}")
  @ValueSource(booleans = {true, false})
  void unaryAndServerStreamingCallsAreBalancedWithStatusMessagesAndTrailersIntact(boolean tls) {
    gateway(tls, tls ? TargetGroupConfig.Protocol.HTTPS : TargetGroupConfig.Protocol.HTTP, ProtocolVersion.GRPC,
        grpcServer("g1", tls), grpcServer("g2", tls));
    GrpcClient client = grpcClient(tls);

    List<String> servedBy = new ArrayList<>();
    for (int i = 0; i < 4; i++) {
      Call c = call(client, SAY, "hello" + i);
      assertThat(c.status()).isEqualTo(GrpcStatus.OK);
      assertThat(c.messages()).hasSize(1);
      String server = c.trailers().get("x-served-by");
      assertThat(c.messages().get(0)).isEqualTo(server + ":hello" + i);
      assertThat(c.trailers().get("grpc-status")).isEqualTo("0");
      servedBy.add(server);
    }
    assertThat(servedBy).as("round robin").isIn(List.of("g1", "g2", "g1", "g2"), List.of("g2", "g1", "g2", "g1"));

    Call stream = call(client, COUNT, "3");
    assertThat(stream.status()).isEqualTo(GrpcStatus.OK);
    String server = stream.messages().get(0).substring(0, 2);
    assertThat(stream.messages()).containsExactly(server + "-1", server + "-2", server + "-3");
    assertThat(stream.trailers().get("x-count")).isEqualTo("3");

    Call missing = call(client, FIND, "item-7");
    assertThat(missing.status()).isEqualTo(GrpcStatus.NOT_FOUND);
    assertThat(missing.message()).matches("no such thing: item-7 \\(on g[12]\\)");
    assertThat(missing.messages()).isEmpty();

    SocketAddress gateway = SocketAddress.inetSocketAddress(f.listener.actualPort(), "127.0.0.1");
    // client streaming: three messages, one answer after the end of the call's request
    List<String> collected = client.request(gateway, COLLECT).compose(req -> {
      req.write(Buffer.buffer("a"));
      req.write(Buffer.buffer("b"));
      req.end(Buffer.buffer("c"));
      return req.response().compose(resp -> resp.last().map(m -> List.of(m.toString())));
    }).timeout(GatewayFixture.RESPONSE_TIMEOUT.toMillis(), TimeUnit.MILLISECONDS).await();
    assertThat(collected).containsExactly("a+b+c");

    // bidirectional: each message is sent only after the previous echo came back through the gateway
    List<String> echoes = client.request(gateway, CHAT).compose(req -> {
      Promise<List<String>> done = Promise.promise();
      List<String> got = new ArrayList<>();
      req.response().onComplete(ar -> {
        if (ar.failed()) {
          done.fail(ar.cause());
          return;
        }
        ar.result().handler(m -> {
          got.add(m.toString());
          if (got.size() < 3) {
            req.write(Buffer.buffer(Integer.toString(got.size() + 1)));
          } else {
            req.end();
          }
        });
        ar.result().end().onComplete(x -> done.complete(got));
      });
      req.write(Buffer.buffer("1"));
      return done.future();
    }).timeout(GatewayFixture.RESPONSE_TIMEOUT.toMillis(), TimeUnit.MILLISECONDS).await();
    assertThat(echoes).containsExactly("echo:1", "echo:2", "echo:3");
  }

  @Test
  void requestsThatDoNotFitTheGroupsProtocolVersionGet464() {
    int g1 = grpcServer("g1", false);
    f.group("web", f.backend("web"));
    f.group("svc", TargetGroupConfig.builder("svc").protocolVersion(ProtocolVersion.GRPC), g1);
    f.start(RuleSet.builder()
        .rule(Rule.of(1, Action.forward("svc"), Condition.pathPattern("/loadstar.test.Echo/*")))
        .defaultAction(Action.forward("web")).build(), ListenerConfig.builder().eventLoops(1));
    int port = f.listener.actualPort();
    HttpClient h2 = f.vertx.createHttpClient(new HttpClientOptions().setProtocolVersion(HttpVersion.HTTP_2)
        .setHttp2ClearTextUpgrade(false));

    // HTTP/1.1 to a GRPC group
    assertThat(f.get("/loadstar.test.Echo/Say").status()).isEqualTo(464);
    // HTTP/2 but not gRPC, and gRPC but not POST
    assertThat(send(h2, port, HttpMethod.POST, "/loadstar.test.Echo/Say", "application/json").status())
        .isEqualTo(464);
    assertThat(send(h2, port, HttpMethod.GET, "/loadstar.test.Echo/Say", "application/grpc").status())
        .isEqualTo(464);
    assertThat(f.listener.stats().elbResponses(464)).isEqualTo(3);
    assertThat(f.listener.stats().forwarded()).as("none reached a target").isZero();
    // a gRPC call to an HTTP1 group (the default rule's)
    GrpcClient client = grpcClient(false);
    client.request(SocketAddress.inetSocketAddress(port, "127.0.0.1"),
        ServiceMethod.client(ServiceName.create("other.Service"), "Call", GrpcMessageEncoder.IDENTITY,
            GrpcMessageDecoder.IDENTITY))
        .compose(req -> req.send(Buffer.buffer("x")).compose(resp -> resp.end()))
        .transform(ended -> Future.succeededFuture())
        .await();
    assertThat(f.listener.stats().elbResponses(464)).isEqualTo(4);
    assertThat(f.listener.stats().forwarded()).isZero();
    // and a real gRPC call still goes through
    assertThat(call(client, SAY, "ok").messages()).containsExactly("g1:ok");
  }

  private GatewayFixture.Resp send(HttpClient client, int port, HttpMethod method, String uri, String type) {
    return GatewayFixture.exchange(client, new RequestOptions().setMethod(method).setHost("127.0.0.1").setPort(port)
        .setURI(uri).putHeader("content-type", type), r -> r.send(Buffer.buffer("{}"))).await();
  }

  @ParameterizedTest(name = "TLS to targets: {0}")
  @ValueSource(booleans = {true, false})
  void http2GroupsReachTargetsOverHttp2WhateverTheClientSpoke(boolean tls) {
    HttpServer target = f.vertx.createHttpServer(serverOptions(tls)).requestHandler(req -> req.response()
        .putHeader("x-target-version", req.version().name())
        .putHeader("x-target-authority", String.valueOf(req.authority()))
        .putHeader("x-target-host-header", String.valueOf(req.getHeader("host")))
        .putHeader("x-target-tls", String.valueOf(req.isSSL()))
        .end("ok")).listen(0, "127.0.0.1").await();
    int http1Target = f.backend("h1");
    f.group("h2", TargetGroupConfig.builder("h2")
        .protocol(tls ? TargetGroupConfig.Protocol.HTTPS : TargetGroupConfig.Protocol.HTTP)
        .protocolVersion(ProtocolVersion.HTTP2), target.actualPort());
    f.group("h1", TargetGroupConfig.builder("h1"), http1Target);
    f.start(RuleSet.builder().rule(Rule.of(1, Action.forward("h1"), Condition.pathPattern("/one")))
        .defaultAction(Action.forward("h2")).build(), ListenerConfig.builder().eventLoops(1));

    GatewayFixture.Resp r = f.get("/two", GatewayFixture.headers("host", "shop.example.test"));
    assertThat(r.status()).isEqualTo(200);
    assertThat(r.version()).as("the client spoke HTTP/1.1").isEqualTo(HttpVersion.HTTP_1_1);
    assertThat(r.headers().get("x-target-version")).isEqualTo("HTTP_2");
    assertThat(r.headers().get("x-target-tls")).isEqualTo(Boolean.toString(tls));
    String expectedHost = "shop.example.test:" + f.listener.actualPort();
    assertThat(r.headers().get("x-target-authority")).as("Host as ALB sends it, as :authority")
        .isEqualTo(expectedHost);
    assertThat(r.headers().get("x-target-host-header")).isIn("null", expectedHost);

    GatewayFixture.Resp one = f.get("/one");
    assertThat(one.headers().get("x-instance")).as("an HTTP1 group beside it").isEqualTo("h1");
  }
}
