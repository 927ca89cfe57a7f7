package dev.loadstar.core.spi;

/**
 * The one shape of Loadstar's extension points: a named factory, found through {@link java.util.ServiceLoader} by
 * the name configuration uses, that makes its product from validated parameters. Each extension point is an
 * interface extending this one ({@link BalancingAlgorithmProvider}, {@link TargetSourceProvider}, the scaling
 * module's {@code InstanceProviderFactory}); implementations are listed in
 * {@code META-INF/services/<that interface's name>}, need a public no-argument constructor, and are looked up
 * through the extension point's {@link ProviderRegistry}.
 *
 * @param <C> what {@link #create} is given: the parameters, and for some extension points the runtime they need
 * @param <T> what it makes
 */
public interface Provider<C extends ProviderContext, T> {

  /** The name configuration refers to this provider by; unique among the extension point's providers. */
  String name();

  /**
   * Makes a new product from the context's parameters: reads each one through {@link ProviderContext#params()},
   * then calls {@link dev.loadstar.core.config.Params#rejectUnknown()}. A bad parameter fails with an
   * {@link dev.loadstar.core.config.InvalidValueException} naming it ({@code name: value (expected: ...)}). Must
   * not start anything (no timers, servers or threads) unless the extension point says otherwise.
   */
  T create(C context);
}
