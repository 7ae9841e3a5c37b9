/**
 * The version `comet-ts --version` prints (kept equal to package.json's by a test).
 *
 * @since 0.1.0
 */

/**
 * The package version.
 *
 * @since 0.1.0
 */
export const VERSION = "0.1.0"
