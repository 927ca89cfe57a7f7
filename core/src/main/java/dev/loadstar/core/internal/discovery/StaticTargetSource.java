package dev.loadstar.core.internal.discovery;

import dev.loadstar.core.config.Params;
import dev.loadstar.core.Target;
import dev.loadstar.core.discovery.TargetSource;
import dev.loadstar.core.discovery.TargetSourceContext;
import dev.loadstar.core.config.Checks;
import io.vertx.core.Future;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.util.ArrayList;
import java.util.Collection;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * The {@code static} source: a fixed list reported once, at start.
 */
public final class StaticTargetSource implements TargetSource {

  /** The type name. */
  public static final String TYPE = "static";

  private final List<Target> targets;

  /** A source reporting these targets (ids and addresses unique). */
  public StaticTargetSource(Collection<Target> targets) {
    Checks.notNull("targets", targets);
    List<Target> copy = new ArrayList<>(targets.size());
    Map<String, Integer> ids = new HashMap<>();
    Map<String, Integer> addresses = new HashMap<>();
    int i = 0;
    for (Target t : targets) {
      Checks.notNull("targets[" + i + "]", t);
      Integer sameId = ids.putIfAbsent(t.id(), i);
      if (sameId != null) {
        throw Checks.invalid("targets[" + i + "].id", Params.render(t.id()),
            "an id not used by targets[" + sameId + "]");
      }
      Integer sameAddress = addresses.putIfAbsent(t.address(), i);
      if (sameAddress != null) {
        throw Checks.invalid("targets[" + i + "]", Params.render(t.address()),
            "an address not used by targets[" + sameAddress + "]");
      }
      copy.add(t);
      i++;
    }
    this.targets = List.copyOf(copy);
  }

  /** A source from its parameters: {@code targets}, an array of {@code "host:port"} strings or objects. */
  public static StaticTargetSource fromJson(JsonObject params) {
    Params p = new Params(params);
    JsonArray list = p.array("targets");
    p.rejectUnknown();
    if (list == null) {
      throw Checks.invalid("targets", "null", "an array of \"host:port\" strings or objects with host and port");
    }
    List<Object> entries = new ArrayList<>(list.size());
    for (int i = 0; i < list.size(); i++) {
      entries.add(list.getValue(i));
    }
    return new StaticTargetSource(TargetParser.parseList(entries, "targets"));
  }

  /** The targets this source reports. */
  public List<Target> targets() {
    return targets;
  }

  @Override
  public String type() {
    return TYPE;
  }

  @Override
  public Subscription start(TargetSourceContext context) {
    context.update(targets);
    return Future::succeededFuture;
  }

  @Override
  public String toString() {
    return "static list of " + targets.size() + (targets.size() == 1 ? " target" : " targets");
  }
}
