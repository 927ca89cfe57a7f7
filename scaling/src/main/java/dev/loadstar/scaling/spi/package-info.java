/**
 * The provider SPI: what a scaling group launches instances with ({@link dev.loadstar.scaling.spi.InstanceProvider},
 * found by name through {@link dev.loadstar.scaling.spi.InstanceProviderFactory}).
 */
package dev.loadstar.scaling.spi;
