package dev.loadstar.gateway.internal.config;

import dev.loadstar.gateway.config.AdminSettings;
import dev.loadstar.gateway.internal.admin.AdminGuards;
import java.util.ArrayList;
import java.util.List;

/** Binds {@code admin}: the admin API's address, token and allowed host names. */
final class AdminBinder {

  private final Scope s;
  private final Context ctx;

  AdminBinder(Scope s) {
    this.s = s;
    this.ctx = s.ctx();
  }

  AdminSettings admin(Obj o, String path) {
    if (o == null) {
      return null;
    }
    Val<Boolean> enabled = o.bool("enabled");
    Val<String> host = o.string("host");
    Val<Long> port = o.integer("port", "a port 0-65535");
    Val<String> token = o.string("token");
    List<Val<String>> allowed = o.strings("allowedHosts");
    o.rejectUnknown();
    String h = host.or("127.0.0.1");
    String t = token.present() && !token.value().isEmpty() ? token.value() : null;
    int p = AdminSettings.DEFAULT_PORT;
    if (port.present()) {
      if (port.value() < 0 || port.value() > 65535) {
        ctx.error(port.node(), port.path(), port.render() + " (expected: 0-65535)");
      } else {
        p = port.value().intValue();
      }
    }
    if (host.present() && h.isBlank()) {
      ctx.error(host.node(), host.path(), host.render() + " (expected: an address to bind, such as 127.0.0.1)");
    } else if (t == null && !AdminGuards.isLoopback(h) && enabled.or(true)) {
      ctx.error(host.node() != null ? host.node() : o.node(), Paths.child(path, "host"), "\"" + h
          + "\" (expected: a loopback address (127.0.0.1, ::1, localhost) unless admin.token is set: "
          + "the admin API changes the gateway)");
    }
    List<String> hosts = new ArrayList<>();
    if (allowed != null) {
      for (Val<String> a : allowed) {
        if (a.value().isBlank() || a.value().contains(":") && !a.value().contains("::")) {
          ctx.error(a.node(), a.path(), a.render() + " (expected: a host name or address without a port)");
        } else {
          hosts.add(a.value());
        }
      }
    }
    return new AdminSettings(enabled.or(true), h, p, t, List.copyOf(hosts));
  }

}
