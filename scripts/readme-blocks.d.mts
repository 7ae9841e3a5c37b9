// Types of readme-blocks.mjs, for the TypeScript test that imports it.

export interface Block {
  readonly file: string
  readonly line: number
  readonly lang: string
  readonly kind: "run" | "types" | "file" | "fragment" | "text" | "sh" | "unknown"
  readonly attrs: Readonly<Record<string, string | true>>
  readonly code: string
  readonly problem: string | undefined
}

export declare const root: string
export declare const readmeFiles: (base?: string) => ReadonlyArray<string>
export declare const blocksOf: (text: string, file: string) => ReadonlyArray<Block>
export declare const readmeBlocks: (base?: string) => ReadonlyArray<Block>
export declare const blockFileName: (block: Block) => string
export declare const blockEnv: (emulatorUrl: string, home: string) => Record<string, string>
export declare const runProblems: (run: {
  readonly status: number | null
  readonly stdout: string
  readonly stderr: string
  readonly signal: string | null
}) => ReadonlyArray<string>
export declare const shellProblems: (
  code: string,
  context: {
    readonly scripts: ReadonlySet<string>
    readonly bins: ReadonlySet<string>
    readonly packages: ReadonlySet<string>
    readonly exists: (path: string) => boolean
  }
) => ReadonlyArray<string>
export declare const installProblems: (blocks: ReadonlyArray<Block>) => ReadonlyArray<string>
