// Types of bundle.mjs, for the TypeScript tests that import it.

export declare const root: string
export declare const bundled: (options: {
  readonly entries: Readonly<Record<string, string>>
  readonly outdir: string
  readonly sources?: ReadonlyArray<string>
  readonly launcher?: string
  readonly external?: ReadonlyArray<string>
  readonly sourcemap?: boolean
}) => Promise<{ readonly outputs: Readonly<Record<string, string>>; readonly millis: number }>
