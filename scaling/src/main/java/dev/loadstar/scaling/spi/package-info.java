/**
 * The provider SPI: what a scaling group launches instances with ({@link dev.loadstar.scaling.spi.InstanceProvider}),
 * found by name through an {@link dev.loadstar.scaling.spi.InstanceProviderFactory}, Loadstar's one extension shape
 * ({@link dev.loadstar.core.spi.Provider}).
 */
package dev.loadstar.scaling.spi;
