package dev.loadstar.core.spi;

import dev.loadstar.core.config.Params;
import io.vertx.core.json.JsonObject;

/**
 * What a {@link Provider} makes its product from: the parameters of one configuration entry (without the key that
 * named the provider). Extension points that need more (a Vert.x instance, a time source) extend this class.
 */
public class ProviderContext {

  private final JsonObject parameters;
  private final Params params;

  /** A context over the given parameters ({@code null} reads as none); the object is copied. */
  public ProviderContext(JsonObject parameters) {
    this.parameters = parameters == null ? new JsonObject() : parameters.copy();
    this.params = new Params(this.parameters);
  }

  /** A context without parameters. */
  public static ProviderContext empty() {
    return new ProviderContext(null);
  }

  /**
   * The typed reader of the parameters (one per context, so that {@link Params#rejectUnknown()} knows every name
   * read before).
   */
  public Params params() {
    return params;
  }

  /** A copy of the parameters as given, for options classes that read a {@link JsonObject} themselves. */
  public JsonObject json() {
    return parameters.copy();
  }

  @Override
  public String toString() {
    return getClass().getSimpleName() + parameters.encode();
  }
}
