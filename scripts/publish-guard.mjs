// `prepublishOnly` of every package: refuse to publish with anything but pnpm. The manifests in
// the repository point `exports` at src/*.ts and name sibling packages `workspace:^`; only pnpm
// applies `publishConfig` and rewrites those ranges when it packs (as `pnpm test:consumer` checks).
// Publishing a checked tarball (`npm publish DIR/<name>.tgz`) runs no scripts and needs no guard.
const agent = process.env.npm_config_user_agent ?? ""
if (!agent.startsWith("pnpm/")) {
  process.stderr.write(
    `refusing to publish ${process.env.npm_package_name ?? "this package"} with ${agent.split(" ")[0] || "this tool"}: ` +
      "run `pnpm publish -r` from the repository root (or `npm publish` a tarball kept by `pnpm test:consumer --keep DIR`).\n"
  )
  process.exit(1)
}
