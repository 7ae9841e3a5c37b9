// The workspace file (vitest 3.2 still honours it): one vitest project per package.
export default ["packages/*/vitest.config.ts"]
