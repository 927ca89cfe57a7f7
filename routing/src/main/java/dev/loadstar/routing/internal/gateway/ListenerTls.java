package dev.loadstar.routing.internal.gateway;

import dev.loadstar.core.time.TimeSource;
import dev.loadstar.routing.TlsConfig;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.ClientAuth;
import io.vertx.core.net.NetServerOptions;
import io.vertx.core.net.PemTrustOptions;
import io.vertx.core.net.ServerSSLOptions;
import io.vertx.core.net.TrustOptions;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.cert.X509Certificate;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.LongAdder;
import java.util.function.Function;
import java.util.function.Supplier;
import javax.net.ssl.SSLEngine;
import javax.net.ssl.SSLException;
import javax.net.ssl.X509ExtendedTrustManager;

/**
 * A listener's TLS at run time: the server options made from {@link TlsConfig} (certificates chosen by SNI, the
 * security policy's versions and cipher suites, the client-certificate mode), the count of failed handshakes, and the
 * reload of changed files. The files are read off the event loop every
 * {@link TlsConfig#certificateReloadInterval()}; when their contents changed, the servers get the new options
 * ({@code updateSSLOptions}): new handshakes use them, established connections are not touched. Files that cannot
 * be read or used, such as a key that does not belong to its certificate (read while only one file of the pair was
 * replaced), leave the current certificates in place (logged), and are tried again when they change.
 */
final class ListenerTls {

  private static final System.Logger LOG = System.getLogger(ListenerTls.class.getName());
  /** ALB's TLS handshake timeout. */
  private static final long HANDSHAKE_TIMEOUT_SECONDS = 10;

  private final Vertx vertx;
  private final TlsConfig config;
  private final TimeSource time;
  private final LongAdder negotiationErrors;
  private final String listenerName;
  private final Object lock = new Object();
  /** The options in force (what a server that starts now gets). */
  private volatile ServerSSLOptions current;
  /** The file contents last used or tried: a reload happens only when they change. */
  private List<byte[]> lastRead;
  private Supplier<List<Function<ServerSSLOptions, Future<Boolean>>>> servers;
  private long timer = -1;
  private boolean closed;

  ListenerTls(Vertx vertx, TlsConfig config, TimeSource time, LongAdder negotiationErrors, String listenerName) {
    this.vertx = vertx;
    this.config = config;
    this.time = time;
    this.negotiationErrors = negotiationErrors;
    this.listenerName = listenerName;
  }

  TlsConfig config() {
    return config;
  }

  /** Reads the files (off the event loop) and makes the first options; call before any server starts. */
  Future<Void> load() {
    return vertx.executeBlocking(() -> {
      List<byte[]> contents = read();
      ServerSSLOptions options = options(contents);
      synchronized (lock) {
        lastRead = contents;
        current = options;
      }
      return null;
    }, false);
  }

  /** Makes {@code o} a TLS server with the options in force; {@code alpn} offers h2 and http/1.1 (HTTP servers). */
  void configure(NetServerOptions o, boolean alpn) {
    ServerSSLOptions s = current;
    o.setSsl(true)
        .setSni(true)
        .setUseAlpn(alpn)
        .setKeyCertOptions(s.getKeyCertOptions())
        .setTrustOptions(s.getTrustOptions())
        .setClientAuth(s.getClientAuth())
        .setEnabledSecureTransportProtocols(s.getEnabledSecureTransportProtocols())
        .setSslHandshakeTimeout(HANDSHAKE_TIMEOUT_SECONDS)
        .setSslHandshakeTimeoutUnit(TimeUnit.SECONDS);
    for (String suite : s.getEnabledCipherSuites()) {
      o.addEnabledCipherSuite(suite);
    }
  }

  /**
   * A server's exception handler: TLS failures before a session exists (handshake refused or timed out, a refused
   * client certificate, plaintext on the TLS port) are counted as ALB's {@code ClientTLSNegotiationErrorCount}.
   */
  void serverException(Throwable t) {
    if (isTls(t)) {
      negotiationErrors.increment();
      LOG.log(System.Logger.Level.DEBUG, () -> listenerName + ": TLS negotiation failed: " + t);
    } else {
      LOG.log(System.Logger.Level.DEBUG, () -> listenerName + ": connection error: " + t);
    }
  }

  private static boolean isTls(Throwable t) {
    for (Throwable c = t; c != null; c = c.getCause()) {
      if (c instanceof SSLException) {
        return true;
      }
    }
    return false;
  }

  /**
   * Starts checking the files for changes; {@code servers} gives, at each reload, the update function of every
   * server that uses the options.
   */
  void watch(Supplier<List<Function<ServerSSLOptions, Future<Boolean>>>> servers) {
    synchronized (lock) {
      this.servers = servers;
      if (!closed) {
        timer = time.setTimer(config.certificateReloadInterval().toMillis(), this::check);
      }
    }
  }

  /** Stops checking; idempotent. */
  void close() {
    synchronized (lock) {
      closed = true;
      if (timer >= 0) {
        time.cancelTimer(timer);
        timer = -1;
      }
    }
  }

  private void check() {
    synchronized (lock) {
      if (closed) {
        return;
      }
      timer = -1;
    }
    vertx.executeBlocking(this::prepare, false)
        .compose(this::apply)
        .onComplete(ar -> {
          if (ar.failed()) {
            LOG.log(System.Logger.Level.WARNING, listenerName + ": certificates not reloaded, the current ones stay: "
                + ar.cause());
          }
          synchronized (lock) {
            if (!closed) {
              timer = time.setTimer(config.certificateReloadInterval().toMillis(), this::check);
            }
          }
        });
  }

  /**
   * Reads the files (blocking) and makes options from them when their contents changed, else null. A broken pair is
   * tried once per change, not at every check.
   */
  private ServerSSLOptions prepare() throws Exception {
    List<byte[]> contents = read();
    synchronized (lock) {
      if (closed || same(contents, lastRead)) {
        return null;
      }
      lastRead = contents;
    }
    return options(contents);
  }

  /** Hands new options to every server; the current options once all took them. */
  private Future<Void> apply(ServerSSLOptions options) {
    if (options == null) {
      return Future.succeededFuture();
    }
    List<Future<Boolean>> updates = new ArrayList<>();
    for (Function<ServerSSLOptions, Future<Boolean>> server : servers.get()) {
      updates.add(server.apply(options));
    }
    return Future.all(updates).map(all -> {
      current = options;
      LOG.log(System.Logger.Level.INFO, listenerName + ": certificates reloaded");
      return null;
    });
  }

  private static boolean same(List<byte[]> a, List<byte[]> b) {
    if (b == null || a.size() != b.size()) {
      return false;
    }
    for (int i = 0; i < a.size(); i++) {
      if (!Arrays.equals(a.get(i), b.get(i))) {
        return false;
      }
    }
    return true;
  }

  /** The contents of {@link TlsConfig#files()}, in order (blocking). */
  private List<byte[]> read() throws IOException {
    List<byte[]> out = new ArrayList<>();
    for (String f : config.files()) {
      out.add(Files.readAllBytes(Path.of(f)));
    }
    return out;
  }

  /** Options from the files' contents (blocking: checks that every key belongs to its certificate). */
  private ServerSSLOptions options(List<byte[]> contents) throws Exception {
    int keyFiles = config.certificates().size() * 2;
    SniKeyCertOptions keyCerts = new SniKeyCertOptions(contents.subList(0, keyFiles));
    keyCerts.checkKeysMatchCertificates(vertx);
    ServerSSLOptions o = new ServerSSLOptions()
        .setSni(true)
        .setKeyCertOptions(keyCerts)
        .setEnabledSecureTransportProtocols(new LinkedHashSet<>(config.securityPolicy().protocols()))
        .setSslHandshakeTimeout(HANDSHAKE_TIMEOUT_SECONDS)
        .setSslHandshakeTimeoutUnit(TimeUnit.SECONDS);
    for (String suite : config.securityPolicy().cipherSuites()) {
      o.addEnabledCipherSuite(suite);
    }
    switch (config.mutualAuthenticationMode()) {
      case VERIFY:
        o.setClientAuth(ClientAuth.REQUIRED)
            .setTrustOptions(new PemTrustOptions().addCertValue(Buffer.buffer(contents.get(keyFiles))));
        break;
      case PASSTHROUGH:
        o.setClientAuth(ClientAuth.REQUEST).setTrustOptions(TrustOptions.wrap(new AnyClientCertificate()));
        break;
      default:
        o.setClientAuth(ClientAuth.NONE);
    }
    return o;
  }

  /** Passthrough: any client certificate is taken as it is (targets verify it), as ALB. */
  private static final class AnyClientCertificate extends X509ExtendedTrustManager {
    private static final X509Certificate[] NONE = new X509Certificate[0];

    @Override
    public void checkClientTrusted(X509Certificate[] chain, String authType) {
    }

    @Override
    public void checkClientTrusted(X509Certificate[] chain, String authType, java.net.Socket socket) {
    }

    @Override
    public void checkClientTrusted(X509Certificate[] chain, String authType, SSLEngine engine) {
    }

    @Override
    public void checkServerTrusted(X509Certificate[] chain, String authType) throws
        java.security.cert.CertificateException {
      throw new java.security.cert.CertificateException("a listener trusts no server");
    }

    @Override
    public void checkServerTrusted(X509Certificate[] chain, String authType, java.net.Socket socket) throws
        java.security.cert.CertificateException {
      throw new java.security.cert.CertificateException("a listener trusts no server");
    }

    @Override
    public void checkServerTrusted(X509Certificate[] chain, String authType, SSLEngine engine) throws
        java.security.cert.CertificateException {
      throw new java.security.cert.CertificateException("a listener trusts no server");
    }

    @Override
    public X509Certificate[] getAcceptedIssuers() {
      return NONE;
    }
  }
}
