package dev.loadstar.gateway.config;

import dev.loadstar.gateway.FunctionRegistry;

import dev.loadstar.gateway.internal.config.ConfigEdits;
import dev.loadstar.gateway.internal.config.ConfigParser;
import dev.loadstar.gateway.internal.config.Sections;
import dev.loadstar.gateway.internal.config.Context;
import dev.loadstar.gateway.internal.config.Node;
import dev.loadstar.gateway.internal.config.GatewayBinder;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Objects;
import java.util.function.Function;

/**
 * A validated declarative gateway configuration: listeners with rules, target groups, scaling groups and the admin
 * API, read from YAML or JSON with ELBv2 and Auto Scaling field names (see docs/configuration.md).
 *
 * <p>{@link #load(Path)} reads and validates a file and fails with a {@link ConfigException} listing every error
 * (file, line, column, path, value and what was expected); {@link #check} returns the errors instead.
 */
public final class GatewayConfig {

  /** The largest configuration read, in characters (1 MiB of text), so that parsing time stays bounded. */
  public static final int MAX_CHARS = ConfigParser.MAX_CHARS;

  private final String source;
  private final AdminSettings admin;
  private final List<TargetGroupSpec> targetGroups;
  private final List<ListenerSpec> listeners;
  private final List<ScalingGroupSpec> scalingGroups;
  private final String zone;
  /** The document it was bound from (null for a configuration assembled in code). */
  private final Node root;
  private final Function<String, String> env;
  private final FunctionRegistry functions;
  private final Map<String, String> sections;

  /** A configuration from validated parts (the validator builds these). */
  public GatewayConfig(String source, AdminSettings admin, List<TargetGroupSpec> targetGroups,
      List<ListenerSpec> listeners, List<ScalingGroupSpec> scalingGroups) {
    this(source, admin, targetGroups, listeners, scalingGroups, null);
  }

  /** A configuration from validated parts, with the gateway's availability zone (null for none). */
  public GatewayConfig(String source, AdminSettings admin, List<TargetGroupSpec> targetGroups,
      List<ListenerSpec> listeners, List<ScalingGroupSpec> scalingGroups, String zone) {
    this.source = Objects.requireNonNull(source, "source");
    this.admin = Objects.requireNonNull(admin, "admin");
    this.targetGroups = List.copyOf(targetGroups);
    this.listeners = List.copyOf(listeners);
    this.scalingGroups = List.copyOf(scalingGroups);
    this.zone = zone;
    this.root = null;
    this.env = null;
    this.functions = null;
    this.sections = Map.of();
  }

  /** A bound configuration with the document it came from, so it can be compared and edited. */
  private GatewayConfig(GatewayConfig c, Node root, Function<String, String> env, FunctionRegistry functions) {
    this.source = c.source;
    this.admin = c.admin;
    this.targetGroups = c.targetGroups;
    this.listeners = c.listeners;
    this.scalingGroups = c.scalingGroups;
    this.zone = c.zone;
    this.root = root;
    this.env = env;
    this.functions = functions;
    this.sections = Map.copyOf(Sections.of(root));
  }

  /** Reads and validates a YAML ({@code .yaml}, {@code .yml}) or JSON ({@code .json}) file; the environment fills {@code ${env:NAME}}. */
  public static GatewayConfig load(Path file) {
    return load(file, System::getenv);
  }

  /** As {@link #load(Path)}, with {@code env} resolving {@code ${env:NAME}} references. */
  public static GatewayConfig load(Path file, Function<String, String> env) {
    Result r = read(file, env);
    if (!r.errors().isEmpty()) {
      throw new ConfigException(r.errors());
    }
    return r.config();
  }

  /** Reads and validates text; {@code name} names it in errors, {@code json} picks the JSON parser (else YAML). */
  public static GatewayConfig parse(String text, String name, boolean json, Function<String, String> env) {
    Result r = validate(text, name, json, env);
    if (!r.errors().isEmpty()) {
      throw new ConfigException(r.errors());
    }
    return r.config();
  }

  /** As {@link #load(Path, Function)}, with function target names checked against {@code functions}. */
  public static GatewayConfig load(Path file, Function<String, String> env, FunctionRegistry functions) {
    Result r = read(file, env, functions);
    if (!r.errors().isEmpty()) {
      throw new ConfigException(r.errors());
    }
    return r.config();
  }

  /** Every error of a file (empty when it is valid). */
  public static List<ConfigError> check(Path file, Function<String, String> env) {
    return read(file, env).errors();
  }

  /**
   * The outcome of reading a configuration.
   *
   * @param config the configuration, or null when there are errors
   * @param errors every error, in file order
   */
  public record Result(GatewayConfig config, List<ConfigError> errors) {
  }

  /** Reads and validates a file, returning the configuration or every error. */
  public static Result read(Path file, Function<String, String> env) {
    return read(file, env, FunctionRegistry.builtIn());
  }

  /**
   * Reads and validates a file, returning the configuration or every error; function targets may name the
   * functions of {@code functions}.
   */
  public static Result read(Path file, Function<String, String> env, FunctionRegistry functions) {
    String text;
    try {
      long size = Files.size(file);
      if (size > 4L * MAX_CHARS) {
        return new Result(null, List.of(new ConfigError(file.toString(), 1, 1, "", size + " bytes (expected: a "
            + "configuration file of at most " + MAX_CHARS + " characters)")));
      }
      text = Files.readString(file, StandardCharsets.UTF_8);
    } catch (NoSuchFileException e) {
      return new Result(null, List.of(new ConfigError(file.toString(), 1, 1, "", "no such file")));
    } catch (IOException e) {
      return new Result(null, List.of(new ConfigError(file.toString(), 1, 1, "", "cannot read the file: " + e)));
    }
    return validate(text, file.toString(), file.toString().toLowerCase(Locale.ROOT).endsWith(".json"), env,
        functions);
  }

  /** Validates text, returning the configuration or every error (function targets: the built-in functions). */
  public static Result validate(String text, String name, boolean json, Function<String, String> env) {
    return validate(text, name, json, env, FunctionRegistry.builtIn());
  }

  /** Validates text, returning the configuration or every error; function targets may name those of {@code functions}. */
  public static Result validate(String text, String name, boolean json, Function<String, String> env,
      FunctionRegistry functions) {
    Objects.requireNonNull(functions, "functions");
    Context ctx = new Context(name);
    Node root = ConfigParser.parse(text, json, ctx, env);
    return bind(ctx, root, name, env, functions);
  }

  private static Result bind(Context ctx, Node root, String name, Function<String, String> env,
      FunctionRegistry functions) {
    GatewayConfig config = root == null ? null : GatewayBinder.bind(ctx, root, name, functions.names());
    if (ctx.hasErrors()) {
      return new Result(null, ctx.errors());
    }
    return new Result(new GatewayConfig(config, root, env, functions), List.of());
  }

  /**
   * Reads the file this configuration came from again, with the same environment and functions: what a reload
   * applies (every error, or the new configuration).
   */
  public Result reread() {
    if (root == null) {
      throw new IllegalStateException("configuration: assembled in code (expected: one read from a file to read "
          + "again)");
    }
    return read(Path.of(source), env, functions);
  }

  /**
   * Each section of the document as canonical text, keyed by what a reload compares ({@code listener:<name>},
   * {@code group:<name>}, {@code group-health:<name>}, {@code group-discovery:<name>}, {@code target:<group>/<id>},
   * {@code admin}, {@code zone}, {@code stickinessSecrets}, {@code scalingGroups}); empty for a configuration
   * assembled in code.
   */
  public Map<String, String> sections() {
    return sections;
  }

  /**
   * This configuration with {@code rule} (a rule object as in the file, JSON) added to the listener's rules,
   * validated whole as the file is (ALB's CreateRule).
   */
  public Result withRule(String listener, String ruleJson) {
    return edit(ruleJson, body -> ConfigEdits.addRule(root, listener, body));
  }

  /** This configuration with the listener's rule of {@code priority} replaced by {@code ruleJson} (ModifyRule). */
  public Result withRuleReplaced(String listener, long priority, String ruleJson) {
    return edit(ruleJson, body -> ConfigEdits.replaceRule(root, listener, priority, body));
  }

  /** This configuration without the listener's rule of {@code priority} (DeleteRule). */
  public Result withoutRule(String listener, long priority) {
    return edit(null, body -> ConfigEdits.removeRule(root, listener, priority));
  }

  /**
   * This configuration with the given attributes (a JSON object of ALB's keys) set on the target group, the others
   * kept (ModifyTargetGroupAttributes).
   */
  public Result withTargetGroupAttributes(String group, String attributesJson) {
    return edit(attributesJson, body -> ConfigEdits.mergeIntoGroup(root, group, "attributes", body));
  }

  /** This configuration with the given health check fields (JSON, as in the file) set on the group (ModifyTargetGroup). */
  public Result withHealthCheck(String group, String healthCheckJson) {
    return edit(healthCheckJson, body -> ConfigEdits.mergeIntoGroup(root, group, "healthCheck", body));
  }

  /**
   * Parses {@code json} (a request body: errors name it {@code request}), applies {@code edit} to the document and
   * validates the result whole. An edit naming a listener, rule or group that does not exist throws
   * {@link java.util.NoSuchElementException}.
   */
  private Result edit(String json, java.util.function.Function<Node, Node> edit) {
    if (root == null) {
      throw new IllegalStateException("configuration: assembled in code (expected: one read from a document to "
          + "edit)");
    }
    Node body = null;
    if (json != null) {
      Context bodyCtx = new Context("request");
      body = ConfigParser.parse(json, true, bodyCtx, env);
      if (bodyCtx.hasErrors()) {
        return new Result(null, bodyCtx.errors());
      }
      if (body == null || body.kind() != Node.Kind.OBJECT) {
        return new Result(null, List.of(new ConfigError("request", 1, 1, "", "the body (expected: a JSON object)")));
      }
    }
    Node edited;
    try {
      edited = edit.apply(body);
    } catch (ConfigEdits.NotFound e) {
      throw new java.util.NoSuchElementException(e.getMessage());
    }
    return bind(new Context(source), edited, source, env, functions);
  }

  /** Where the configuration came from (a file path or a name). */
  public String source() {
    return source;
  }

  /** The admin API settings. */
  public AdminSettings admin() {
    return admin;
  }

  /** The target groups, in file order. */
  public List<TargetGroupSpec> targetGroups() {
    return targetGroups;
  }

  /** The listeners, in file order. */
  public List<ListenerSpec> listeners() {
    return listeners;
  }

  /** The gateway's availability zone (the top-level {@code zone}), the default zone of its listeners; or null. */
  public String zone() {
    return zone;
  }

  /** The scaling groups, in file order. */
  public List<ScalingGroupSpec> scalingGroups() {
    return scalingGroups;
  }

  @Override
  public String toString() {
    return "GatewayConfig{" + source + ": " + listeners.size() + " listeners, " + targetGroups.size()
        + " target groups, " + scalingGroups.size() + " scaling groups}";
  }
}
