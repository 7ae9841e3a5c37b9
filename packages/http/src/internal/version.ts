/**
 * The package version, sent in the `User-Agent` header (a test keeps it equal to package.json).
 *
 * @internal
 */
export const VERSION = "0.1.0"

/** @internal */
export const USER_AGENT = `comet-ts/${VERSION}`
