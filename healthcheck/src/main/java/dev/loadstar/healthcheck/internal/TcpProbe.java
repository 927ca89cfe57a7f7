package dev.loadstar.healthcheck.internal;

import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.net.ConnectOptions;
import io.vertx.core.net.NetClient;
import io.vertx.core.net.NetClientOptions;

/** A {@code TCP} check: a connection that opens within the timeout passes (it is closed at once). */
final class TcpProbe implements Probe {

  private final NetClient net;
  private final int timeoutMs;
  private final Verdict verdict;

  TcpProbe(Vertx vertx, long timeoutMs, Verdict verdict) {
    this.net = vertx.createNetClient(new NetClientOptions().setTcpNoDelay(true));
    this.timeoutMs = (int) Math.min(timeoutMs, Integer.MAX_VALUE);
    this.verdict = verdict;
  }

  @Override
  public void check(Attempt a) {
    TargetState s = a.state;
    net.connect(new ConnectOptions().setHost(s.host).setPort(s.port).setTimeout(timeoutMs)).onComplete(ar -> {
      if (ar.failed()) {
        verdict.end(a, CheckVerdicts.classify(ar.cause(), false));
        return;
      }
      ar.result().close();
      verdict.end(a, null);
    });
  }

  @Override
  public Future<Void> close() {
    return net.close();
  }
}
