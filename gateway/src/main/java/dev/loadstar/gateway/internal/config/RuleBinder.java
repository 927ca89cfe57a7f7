package dev.loadstar.gateway.internal.config;

import dev.loadstar.core.config.InvalidValueException;
import dev.loadstar.routing.Action;
import dev.loadstar.routing.Condition;
import dev.loadstar.routing.Rule;
import dev.loadstar.routing.RuleLimits;
import dev.loadstar.routing.RuleSet;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/** Binds a listener's {@code rules[]} and {@code defaultActions}, checked one rule at a time through routing. */
final class RuleBinder {

  private final Scope s;
  private final Context ctx;
  private static final List<String> CONDITION_FIELDS = List.of("host-header", "path-pattern", "http-header",
      "http-request-method", "query-string", "source-ip", "listener-port");

  RuleBinder(Scope s) {
    this.s = s;
    this.ctx = s.ctx();
  }


  RuleSet rules(Obj listener, List<Node> defaults, RuleLimits limits) {
    boolean ok = true;
    Action defaultAction = null;
    if (defaults != null) {
      String dpath = listener.path("defaultActions");
      if (defaults.size() != 1) {
        ctx.error(listener.raw("defaultActions"), dpath, defaults.size()
            + " actions (expected: exactly one of forward, redirect, fixed-response)");
        ok = false;
      } else {
        ActionBinder.ParsedAction a = s.actions.action(Obj.of(ctx, Paths.item(dpath, 0), defaults.get(0)));
        if (a != null && checkRule(null, a, limits, Paths.item(dpath, 0), defaults.get(0), Map.of())) {
          defaultAction = a.action();
        } else {
          ok = false;
        }
      }
    } else {
      ok = false;
    }
    List<Node> items = listener.list("rules");
    List<Rule> rules = new ArrayList<>();
    Map<Integer, String> priorities = new HashMap<>();
    if (items != null) {
      for (int i = 0; i < items.size(); i++) {
        Obj r = Obj.of(ctx, Paths.item(listener.path("rules"), i), items.get(i));
        if (r == null) {
          ok = false;
          continue;
        }
        Rule rule = rule(r, limits, priorities);
        if (rule == null) {
          ok = false;
        } else {
          rules.add(rule);
        }
      }
    }
    if (!ok || defaultAction == null) {
      return null;
    }
    if (rules.size() > limits.maxRules()) {
      ctx.error(listener.raw("rules"), listener.path("rules"), rules.size() + " (expected: at most "
          + limits.maxRules() + " rules besides the default rule; raise ruleLimits.maxRules to allow more)");
      return null;
    }
    try {
      return RuleSet.builder().limits(limits).rules(rules).defaultAction(defaultAction).build();
    } catch (IllegalArgumentException e) {
      ctx.error(listener.raw("rules"), listener.path("rules"), String.valueOf(e.getMessage()));
      return null;
    }
  }

  private Rule rule(Obj r, RuleLimits limits, Map<Integer, String> priorities) {
    Val<Long> priority = r.require(r.integer("priority", "a whole number 1-50000"), "a priority 1-50000");
    Val<String> name = r.string("name");
    Map<String, Val<?>> fields = new HashMap<>();
    fields.put("priority", priority);
    List<Node> conds = r.list("conditions");
    if (conds == null && !r.has("conditions")) {
      r.missing(r.path("conditions"), "a list of conditions (only the default action has none)");
    }
    List<Condition> conditions = new ArrayList<>();
    boolean ok = conds != null;
    if (conds != null) {
      fields.put("conditions", new Val<>(r.path("conditions"), r.raw("conditions"), conds, false));
      for (int i = 0; i < conds.size(); i++) {
        Condition c = condition(Obj.of(ctx, Paths.item(r.path("conditions"), i), conds.get(i)), fields);
        if (c == null) {
          ok = false;
        } else {
          conditions.add(c);
        }
      }
    }
    List<Node> actions = r.list("actions");
    ActionBinder.ParsedAction action = null;
    if (actions == null) {
      if (!r.has("actions")) {
        r.missing(r.path("actions"), "a list with one action");
      }
      ok = false;
    } else if (actions.size() != 1) {
      ctx.error(r.raw("actions"), r.path("actions"), actions.size()
          + " actions (expected: exactly one of forward, redirect, fixed-response)");
      ok = false;
    } else {
      action = s.actions.action(Obj.of(ctx, Paths.item(r.path("actions"), 0), actions.get(0)));
      ok &= action != null;
    }
    r.rejectUnknown();
    boolean duplicate = false;
    if (priority.present()) {
      if (priority.value() >= 1 && priority.value() <= 50_000) {
        String first = priorities.putIfAbsent(priority.value().intValue(), r.path());
        if (first != null) {
          ctx.error(priority.node(), priority.path(), priority.render() + " (expected: a priority no other rule of the "
              + "listener uses (PriorityInUse); " + first + " has it)");
          duplicate = true;
        }
      }
    } else {
      ok = false;
    }
    if (!ok) {
      return null;
    }
    int prio = Values.clamp(priority.value());
    Rule rule = Rule.named(name.or("priority " + prio), prio, action.action(),
        conditions.toArray(new Condition[0]));
    return checkRule(rule, action, limits, r.path(), r.node(), fields) && !duplicate ? rule : null;
  }

  /** Validates one rule (or, with {@code rule} null, a default action) alone through routing's checks. */
  private boolean checkRule(Rule rule, ActionBinder.ParsedAction action, RuleLimits limits, String path, Node node,
      Map<String, Val<?>> fields) {
    Map<String, Val<?>> all = new HashMap<>(fields);
    all.putAll(action.fields());
    try {
      RuleSet.Builder b = RuleSet.builder().limits(limits);
      if (rule == null) {
        b.defaultAction(action.action());
      } else {
        b.rule(rule).defaultAction(Action.fixedResponse(404, null, null));
      }
      b.build();
      return true;
    } catch (InvalidValueException e) {
      report(e.field(), e.value() + " (expected: " + e.expected() + ")", all, path, node);
      return false;
    } catch (IllegalArgumentException e) {
      // routing's rule checks name the rule and the field before the detail; the field is one this binder passed
      String msg = String.valueOf(e.getMessage());
      String prefix = "rule \"" + (rule == null ? "default" : rule.name()) + "\" ";
      String field = null;
      if (msg.startsWith(prefix)) {
        for (String key : all.keySet()) {
          if (msg.startsWith(key + ": ", prefix.length()) && (field == null || key.length() > field.length())) {
            field = key;
          }
        }
      }
      if (field == null) {
        ctx.error(node, path, msg);
      } else {
        report(field, msg.substring(prefix.length() + field.length() + 2), all, path, node);
      }
      return false;
    }
  }

  private void report(String field, String detail, Map<String, Val<?>> fields, String path, Node node) {
    Val<?> v = fields.get(field);
    if (v != null) {
      ctx.error(v.node() != null ? v.node() : node, v.path(), detail);
    } else {
      ctx.error(node, path, field + ": " + detail);
    }
  }

  private Condition condition(Obj c, Map<String, Val<?>> fields) {
    if (c == null) {
      return null;
    }
    Val<String> field = c.require(c.choice("field", CONDITION_FIELDS), "one of " + String.join(", ",
        CONDITION_FIELDS));
    List<Node> values = c.list("values");
    if (values == null && !c.has("values")) {
      c.missing(c.path("values"), "a list of 1-3 values");
    }
    if (!field.present() || values == null) {
      c.raw("httpHeaderName");
      c.rejectUnknown();
      return null;
    }
    String f = field.value();
    String valuesPath = c.path("values");
    fields.putIfAbsent(f, new Val<>(valuesPath, c.raw("values"), values, false));
    List<String> strings = new ArrayList<>();
    List<Condition.QueryPair> pairs = new ArrayList<>();
    int[] ports = new int[values.size()];
    boolean ok = true;
    String headerName = null;
    if (f.equals("http-header")) {
      Val<String> hn = c.require(c.string("httpHeaderName"), "the header name, e.g. User-Agent");
      if (!hn.present()) {
        ok = false;
      } else {
        headerName = hn.value();
        fields.putIfAbsent("http-header name", hn);
      }
    }
    for (int i = 0; i < values.size(); i++) {
      Node n = values.get(i);
      String p = Paths.item(valuesPath, i);
      if (n.kind() == Node.Kind.INVALID) {
        ok = false;
        continue;
      }
      if (f.equals("query-string")) {
        if (n.kind() == Node.Kind.OBJECT) {
          Obj q = new Obj(ctx, p, n);
          Val<String> key = q.string("key");
          Val<String> value = q.require(q.string("value"), "a value pattern");
          q.rejectUnknown();
          if (!value.present() || key.invalid()) {
            ok = false;
            continue;
          }
          pairs.add(key.present() ? Condition.pair(key.value(), value.value()) : Condition.anyKey(value.value()));
          fields.putIfAbsent(f + "[" + i + "].key", key);
          fields.putIfAbsent(f + "[" + i + "].value", value);
        } else if (n.isScalar()) {
          pairs.add(Condition.anyKey(n.text()));
          fields.putIfAbsent(f + "[" + i + "].value", new Val<>(p, n, n.text(), false));
        } else {
          ctx.error(n, p, n.render() + " (expected: {key: ..., value: ...} or a value pattern)");
          ok = false;
        }
        continue;
      }
      if (f.equals("listener-port")) {
        if (n.kind() != Node.Kind.INTEGER) {
          ctx.error(n, p, n.render() + " (expected: a port 1-65535)");
          ok = false;
          continue;
        }
        ports[i] = Values.clamp((Long) n.value());
        fields.putIfAbsent(f + "[" + i + "]", new Val<>(p, n, n.value(), false));
        continue;
      }
      if (!n.isScalar()) {
        ctx.error(n, p, n.render() + " (expected: a string)");
        ok = false;
        continue;
      }
      strings.add(n.text());
      Val<String> v = new Val<>(p, n, n.text(), false);
      fields.putIfAbsent(f + "[" + i + "]", v);
      if (headerName != null) {
        fields.putIfAbsent(f + "[" + headerName + "][" + i + "]", v);
      }
    }
    c.rejectUnknown();
    if (!ok) {
      return null;
    }
    String[] s = strings.toArray(new String[0]);
    switch (f) {
      case "host-header":
        return Condition.hostHeader(s);
      case "path-pattern":
        return Condition.pathPattern(s);
      case "http-header":
        return Condition.httpHeader(headerName, s);
      case "http-request-method":
        return Condition.httpRequestMethod(s);
      case "query-string":
        return Condition.queryString(pairs.toArray(new Condition.QueryPair[0]));
      case "source-ip":
        return Condition.sourceIp(s);
      default:
        return Condition.listenerPort(ports);
    }
  }
}
