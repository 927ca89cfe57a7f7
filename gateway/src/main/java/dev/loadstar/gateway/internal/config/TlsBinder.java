package dev.loadstar.gateway.internal.config;

import dev.loadstar.core.config.InvalidValueException;
import dev.loadstar.routing.SecurityPolicy;
import dev.loadstar.routing.TlsConfig;
import dev.loadstar.routing.TlsConfig.MutualAuthenticationMode;
import java.util.ArrayList;
import java.util.List;

/**
 * Binds a listener's TLS fields: {@code certificates} (ALB's {@code Certificates}), {@code sslPolicy}
 * ({@code SslPolicy}) and, for HTTPS, {@code mutualAuthentication} ({@code MutualAuthentication}). HTTPS and TLS
 * listeners need them; HTTP and TCP listeners refuse them.
 */
final class TlsBinder {

  private static final List<String> KEYS = List.of("certificates", "sslPolicy", "mutualAuthentication");
  private static final List<String> MODES = List.of("off", "passthrough", "verify");
  private static final String CERTIFICATE = "a certificate: {certificatePath, privateKeyPath} (PEM files)";

  private final Context ctx;

  TlsBinder(Scope s) {
    this.ctx = s.ctx();
  }

  /** The mutable inputs of a TlsConfig: a certificate whose fields were refused is left out. */
  private static final class TlsDraft {
    final String[] certificates;
    final String[] keys;
    SecurityPolicy policy;
    MutualAuthenticationMode mode;
    String trustStore;

    TlsDraft(int n) {
      certificates = new String[n];
      keys = new String[n];
    }

    TlsConfig build() {
      TlsConfig.Builder b = TlsConfig.builder();
      List<Integer> added = new ArrayList<>(); // the builder's certificate i is the file's certificates[added(i)]
      for (int i = 0; i < certificates.length; i++) {
        if (certificates[i] != null && keys[i] != null) {
          b.certificate(certificates[i], keys[i]);
          added.add(i);
        }
      }
      if (added.isEmpty()) {
        return null; // every certificate was refused (reported): nothing more to check
      }
      if (policy != null) {
        b.securityPolicy(policy);
      }
      if (mode != null && (mode != MutualAuthenticationMode.VERIFY || trustStore != null)) {
        b.mutualAuthentication(mode); // verify without its trust store: the trust store was refused (reported)
      }
      try {
        return b.trustStorePath(trustStore).build();
      } catch (InvalidValueException e) {
        String prefix = "certificates[";
        if (!e.field().startsWith(prefix)) {
          throw e;
        }
        int end = e.field().indexOf(']');
        int i = added.get(Integer.parseInt(e.field().substring(prefix.length(), end)));
        throw new InvalidValueException(prefix + i + e.field().substring(end), e.value(), e.expected());
      }
    }
  }

  /**
   * The TLS settings of listener {@code o} whose protocol is {@code protocol} ({@code HTTP}, {@code HTTPS},
   * {@code TCP}, {@code TLS}, or null when the protocol was refused: the TLS fields are then not checked). The value is
   * null for a listener without TLS; the result is invalid when a field was refused (reported).
   */
  Val<TlsConfig> tls(Obj o, String protocol) {
    boolean terminates = "HTTPS".equals(protocol) || "TLS".equals(protocol);
    if (!terminates) {
      boolean wrong = false;
      for (String k : KEYS) {
        Node n = o.raw(k);
        if (n != null && protocol != null) {
          ctx.error(n, o.path(k), n.render() + " (expected: no " + k + " on a" + (protocol.equals("HTTP") ? "n " : " ")
              + protocol + " listener: only HTTPS and TLS listeners terminate TLS)");
          wrong = true;
        }
      }
      return new Val<>(o.path("certificates"), o.raw("certificates"), null, wrong);
    }
    Build<TlsDraft, TlsConfig> p = certificates(o);
    Val<String> policy = o.choice("sslPolicy", policyNames());
    p.set("securityPolicy", policy, (d, v) -> d.policy = SecurityPolicy.fromName(v));
    Obj mutual = o.object("mutualAuthentication");
    if (mutual != null) {
      mutualAuthentication(mutual, protocol, p);
    } else if (o.raw("mutualAuthentication") != null) {
      p.fail();
    }
    TlsConfig tls = p.build();
    return new Val<>(o.path("certificates"), o.raw("certificates"), tls, tls == null);
  }

  /** Reads {@code certificates[]} into a new build; a missing or empty list is reported here. */
  private Build<TlsDraft, TlsConfig> certificates(Obj o) {
    List<Node> items = o.list("certificates");
    int n = items == null ? 0 : items.size();
    Build<TlsDraft, TlsConfig> p = new Build<>(ctx, o.path(), o.node(), () -> new TlsDraft(n), TlsDraft::build);
    if (items == null) {
      if (!o.has("certificates")) {
        o.missing(o.path("certificates"), "a list of certificates, the first the default; each " + CERTIFICATE);
      }
      return p.fail();
    }
    if (items.isEmpty()) {
      ctx.error(o.raw("certificates"), o.path("certificates"), "[] (expected: at least one certificate, the first the "
          + "default; each " + CERTIFICATE + ")");
      return p.fail();
    }
    for (int i = 0; i < n; i++) {
      Obj c = Obj.of(ctx, Paths.item(o.path("certificates"), i), items.get(i));
      if (c == null) {
        p.fail();
        continue;
      }
      int at = i;
      Val<String> cert = c.require(c.string("certificatePath"), "a PEM file with the certificate chain, leaf first");
      Val<String> key = c.require(c.string("privateKeyPath"), "a PEM file with the certificate's private key");
      c.rejectUnknown();
      if (!cert.present() || !key.present()) {
        p.fail();
      }
      String name = "certificates[" + i + "]";
      p.set(name + ".certificatePath", cert, (d, v) -> d.certificates[at] = v)
          .set(name + ".privateKeyPath", key, (d, v) -> d.keys[at] = v);
    }
    return p;
  }

  /** Reads {@code mutualAuthentication}: {@code mode} and {@code trustStorePath} (verify only). */
  private void mutualAuthentication(Obj m, String protocol, Build<TlsDraft, TlsConfig> p) {
    Val<String> mode = mode(m);
    Val<String> trustStore = m.string("trustStorePath");
    m.rejectUnknown();
    if (mode.present() && "TLS".equals(protocol) && mode.value().equals("passthrough")) {
      ctx.error(mode.node(), mode.path(), mode.render() + " (expected: off or verify on a TLS listener: passthrough "
          + "forwards the certificate in HTTP headers)");
      mode = new Val<>(mode.path(), mode.node(), null, true);
    }
    String effective = mode.or(mode.invalid() ? null : "off");
    if (effective != null && effective.equals("verify") && trustStore.node() == null) {
      m.missing(trustStore.path(), "a PEM bundle of CA certificates client certificates must chain to, with mode "
          + "verify");
      p.fail();
    }
    if (effective != null && !effective.equals("verify") && trustStore.present()) {
      ctx.error(trustStore.node(), trustStore.path(), trustStore.render() + " (expected: no trust store with mode "
          + effective + ": only verify uses one)");
      trustStore = new Val<>(trustStore.path(), trustStore.node(), null, true);
    }
    if (mode.invalid()) {
      trustStore = new Val<>(trustStore.path(), trustStore.node(), null, trustStore.node() != null);
    }
    p.set("mutualAuthentication.mode", mode, (d, v) -> d.mode = MutualAuthenticationMode.fromName(v))
        .set("mutualAuthentication.trustStorePath", trustStore, (d, v) -> d.trustStore = v);
  }

  /** ALB's {@code MutualAuthentication.Mode}; YAML's unquoted {@code off} (read as false) is off. */
  private Val<String> mode(Obj m) {
    Node n = m.raw("mode");
    if (n != null && n.kind() == Node.Kind.BOOLEAN && !((Boolean) n.value())) {
      return new Val<>(m.path("mode"), n, "off", false);
    }
    return m.choice("mode", MODES);
  }

  /** The security policies by ALB's names. */
  private static List<String> policyNames() {
    List<String> out = new ArrayList<>();
    for (SecurityPolicy sp : SecurityPolicy.values()) {
      out.add(sp.albName());
    }
    return out;
  }
}
