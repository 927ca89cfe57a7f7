package dev.loadstar.gateway;

import dev.loadstar.core.FunctionResponse;
import dev.loadstar.core.TargetFunction;
import io.vertx.core.Future;
import io.vertx.core.MultiMap;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Objects;
import java.util.Set;

/**
 * The in-process functions a configuration file can name as function targets ({@code type: lambda},
 * {@code function: <name>}), ALB's Lambda targets. Two are built in: {@value #ECHO} and {@value #HELLO}; an
 * application that embeds the gateway registers its own handlers and hands the registry to
 * {@link GatewayConfig#validate(String, String, boolean, java.util.function.Function, FunctionRegistry)} (so names are
 * checked) and to {@link GatewayRuntime.Builder#functions(FunctionRegistry)} (so they are called).
 *
 * <p>Immutable; {@link #builder()} starts from the built-in functions.
 */
public final class FunctionRegistry {

  /** Built-in: answers 200 with the request's body and content type, or {@code <METHOD> <URI>} when it has no body. */
  public static final String ECHO = "echo";
  /** Built-in: answers 200 {@code hello from loadstar} ({@code text/plain}), a fixed response. */
  public static final String HELLO = "hello";
  /** What {@value #HELLO} answers. */
  public static final String HELLO_BODY = "hello from loadstar";

  private static final FunctionRegistry BUILT_IN = new FunctionRegistry(builtIns());

  private final Map<String, TargetFunction> functions;

  private FunctionRegistry(Map<String, TargetFunction> functions) {
    this.functions = Collections.unmodifiableMap(new LinkedHashMap<>(functions));
  }

  /** The built-in functions only ({@value #ECHO}, {@value #HELLO}). */
  public static FunctionRegistry builtIn() {
    return BUILT_IN;
  }

  /** A builder holding the built-in functions. */
  public static Builder builder() {
    return new Builder();
  }

  private static Map<String, TargetFunction> builtIns() {
    Map<String, TargetFunction> m = new LinkedHashMap<>();
    m.put(ECHO, request -> {
      if (request.body().length() == 0) {
        return Future.succeededFuture(FunctionResponse.ok(request.method().name() + " " + request.uri()));
      }
      MultiMap h = MultiMap.caseInsensitiveMultiMap();
      String type = request.headers().get("content-type");
      h.add("content-type", type != null ? type : "application/octet-stream");
      return Future.succeededFuture(new FunctionResponse(200, h, request.body().copy()));
    });
    m.put(HELLO, request -> Future.succeededFuture(FunctionResponse.ok(HELLO_BODY)));
    return m;
  }

  /** The handler registered under {@code name}, or {@code null}. */
  public TargetFunction get(String name) {
    return functions.get(name);
  }

  /** The registered names, built-in ones first, then in registration order. */
  public Set<String> names() {
    return functions.keySet();
  }

  @Override
  public String toString() {
    return "FunctionRegistry" + functions.keySet();
  }

  /** Builds a {@link FunctionRegistry}. */
  public static final class Builder {
    private final Map<String, TargetFunction> functions = new LinkedHashMap<>(builtIns());

    private Builder() {
    }

    /**
     * Registers a handler; {@code name} is 1-64 letters, digits, {@code -}, {@code _} and {@code .}, not registered
     * yet (built-in names included).
     */
    public Builder register(String name, TargetFunction handler) {
      Objects.requireNonNull(handler, "handler");
      if (name == null || !name.matches("[A-Za-z0-9_.-]{1,64}")) {
        throw new IllegalArgumentException("name: " + (name == null ? "null" : "\"" + name + "\"")
            + " (expected: 1-64 letters, digits, -, _ and .)");
      }
      if (functions.containsKey(name)) {
        throw new IllegalArgumentException("name: \"" + name + "\" (expected: a name not registered yet; registered: "
            + String.join(", ", functions.keySet()) + ")");
      }
      functions.put(name, handler);
      return this;
    }

    /** The registry. */
    public FunctionRegistry build() {
      return new FunctionRegistry(functions);
    }
  }
}
