package dev.loadstar.gateway.internal.config;

import dev.loadstar.routing.Action;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/** Binds one action: forward (simple or weighted), redirect, fixed-response. */
final class ActionBinder {

  /** A parsed action with the config path of each routing field name, for error mapping. */
  record ParsedAction(Action action, Map<String, Val<?>> fields) {
  }

  private final Scope s;
  private final Context ctx;
  private static final List<String> ACTION_TYPES = List.of("forward", "redirect", "fixed-response");

  ActionBinder(Scope s) {
    this.s = s;
    this.ctx = s.ctx();
  }

  ParsedAction action(Obj a) {
    if (a == null) {
      return null;
    }
    Val<String> type = a.require(a.choice("type", ACTION_TYPES), "one of " + String.join(", ", ACTION_TYPES));
    Map<String, Val<?>> fields = new HashMap<>();
    if (!type.present()) {
      a.raw("targetGroupName");
      a.raw("forwardConfig");
      a.raw("redirectConfig");
      a.raw("fixedResponseConfig");
      a.rejectUnknown();
      return null;
    }
    ParsedAction result;
    switch (type.value()) {
      case "forward":
        result = forward(a, fields);
        break;
      case "redirect":
        result = redirect(a, fields);
        break;
      default:
        result = fixedResponse(a, fields);
    }
    a.rejectUnknown();
    return result;
  }

  private ParsedAction forward(Obj a, Map<String, Val<?>> fields) {
    Val<String> simple = a.string("targetGroupName");
    Obj config = a.object("forwardConfig");
    if (simple.present() && config != null) {
      ctx.error(config.node(), config.path(), "an object (expected: either targetGroupName or forwardConfig, not both)");
      return null;
    }
    if (simple.present()) {
      s.groupRefs.add(simple);
      fields.put("forward.targetGroups[0].name", simple);
      return new ParsedAction(Action.forward(simple.value()), fields);
    }
    if (config == null) {
      if (!simple.invalid() && a.raw("forwardConfig") == null) {
        a.missing(a.path("targetGroupName"), "the target group to forward to (or forwardConfig with weighted "
            + "targetGroups)");
      }
      return null;
    }
    List<Node> groups = config.list("targetGroups");
    if (groups == null && !config.has("targetGroups")) {
      config.missing(config.path("targetGroups"), "a list of 1-5 {targetGroupName, weight}");
    }
    Obj sticky = config.object("targetGroupStickinessConfig");
    Duration stickiness = null;
    boolean ok = groups != null;
    if (sticky != null) {
      Val<Boolean> enabled = sticky.bool("enabled");
      Val<Long> duration = sticky.integer("durationSeconds", "a whole number of seconds 1-604800");
      sticky.rejectUnknown();
      ok &= !enabled.invalid() && !duration.invalid();
      if (enabled.or(false)) {
        if (!duration.present() && !duration.invalid()) {
          sticky.missing(duration.path(), "a duration 1-604800 seconds when enabled");
          ok = false;
        } else if (duration.present()) {
          stickiness = Duration.ofSeconds(duration.value());
          fields.put("forward.stickiness.durationSeconds", duration);
        }
      }
    }
    List<Action.WeightedGroup> weighted = new ArrayList<>();
    if (groups != null) {
      fields.put("forward.targetGroups", new Val<>(config.path("targetGroups"), config.raw("targetGroups"), groups,
          false));
      for (int i = 0; i < groups.size(); i++) {
        Obj g = Obj.of(ctx, Paths.item(config.path("targetGroups"), i), groups.get(i));
        if (g == null) {
          ok = false;
          continue;
        }
        Val<String> name = g.require(g.string("targetGroupName"), "a target group name");
        Val<Long> weight = g.integer("weight", "a whole number 0-999");
        g.rejectUnknown();
        if (!name.present() || weight.invalid()) {
          ok = false;
          continue;
        }
        s.groupRefs.add(name);
        fields.put("forward.targetGroups[" + i + "].name", name);
        fields.put("forward.targetGroups[" + i + "].weight", weight);
        weighted.add(Action.group(name.value(), weight.present() ? Values.clamp(weight.value()) : 1));
      }
    }
    config.rejectUnknown();
    if (!ok) {
      return null;
    }
    return new ParsedAction(Action.weightedForward(stickiness, weighted.toArray(new Action.WeightedGroup[0])),
        fields);
  }

  private ParsedAction redirect(Obj a, Map<String, Val<?>> fields) {
    Obj c = a.object("redirectConfig");
    if (c == null) {
      if (a.raw("redirectConfig") == null) {
        a.missing(a.path("redirectConfig"), "an object with statusCode (HTTP_301 or HTTP_302) and the parts to change");
      }
      return null;
    }
    Val<String> code = c.require(c.choice("statusCode", List.of("HTTP_301", "HTTP_302")), "HTTP_301 or HTTP_302");
    Val<String> protocol = c.string("protocol");
    Val<String> host = c.string("host");
    Val<String> port = c.string("port");
    Val<String> path = c.string("path");
    Val<String> query = c.string("query");
    c.rejectUnknown();
    if (!code.present() || protocol.invalid() || host.invalid() || port.invalid() || path.invalid()
        || query.invalid()) {
      return null;
    }
    fields.put("redirect.statusCode", code);
    fields.put("redirect.protocol", protocol);
    fields.put("redirect.host", host);
    fields.put("redirect.port", port);
    fields.put("redirect.path", path);
    fields.put("redirect.query", query);
    fields.put("redirect", new Val<>(c.path(), c.node(), c.node(), false));
    Action r = Action.redirect(code.value().equals("HTTP_301") ? 301 : 302);
    if (protocol.present()) {
      r = r.withProtocol(protocol.value());
    }
    if (host.present()) {
      r = r.withHost(host.value());
    }
    if (port.present()) {
      r = r.withPort(port.value());
    }
    if (path.present()) {
      r = r.withPath(path.value());
    }
    if (query.present()) {
      r = r.withQuery(query.value());
    }
    return new ParsedAction(r, fields);
  }

  private ParsedAction fixedResponse(Obj a, Map<String, Val<?>> fields) {
    Obj c = a.object("fixedResponseConfig");
    if (c == null) {
      if (a.raw("fixedResponseConfig") == null) {
        a.missing(a.path("fixedResponseConfig"), "an object with statusCode, contentType and messageBody");
      }
      return null;
    }
    Val<String> code = c.require(c.string("statusCode"), "a status code 2XX, 4XX or 5XX");
    Val<String> type = c.string("contentType");
    Val<String> body = c.string("messageBody");
    c.rejectUnknown();
    if (!code.present() || type.invalid() || body.invalid()) {
      return null;
    }
    int status;
    try {
      status = Integer.parseInt(code.value().trim());
    } catch (NumberFormatException e) {
      ctx.error(code.node(), code.path(), code.render() + " (expected: a status code 2XX, 4XX or 5XX)");
      return null;
    }
    fields.put("fixed-response.statusCode", code);
    fields.put("fixed-response.contentType", type);
    fields.put("fixed-response.messageBody", body);
    return new ParsedAction(Action.fixedResponse(status, type.value(), body.value()), fields);
  }
}
