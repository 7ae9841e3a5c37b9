/**
 * `@comet-ts/query`: Comet's query language as typed values. Build queries with `Metric`,
 * `Parameter`, `Other`, `Metadata`, `Environment` and `Tag`; read the Python syntax with `parse`
 * and write it with `format`; compile to the wire `predicates` of `POST project/query` with
 * `compile` (or `compileTerms` for the portable DNF fallback); evaluate locally with `evaluate`;
 * list a project's typed variables with `queryVariables`; match Python `re` patterns (as
 * `get_experiments(…, pattern)` takes them) with `pythonRegex`. Pure: depends on `effect` and
 * `@comet-ts/core` only.
 *
 * @since 0.1.0
 */

export { type CompileOptions, type CompileTermsOptions, compile, compileTerms } from "./Compile.js"
export { dnfSize, toDnf, toNnf, usesOr } from "./Dnf.js"
export { evaluate, evaluatePredicates, evaluateRule, evaluator } from "./Evaluate.js"
export type { ExperimentRecord, RecordValue } from "./ExperimentRecord.js"
export { format } from "./Format.js"
export { type ParseOptions, parse, parseOrThrow, QueryFromString } from "./Parse.js"
export { type PythonRegex, type PythonRegexOptions, pythonRegex } from "./PythonRegex.js"
export {
  type And,
  and,
  type Between,
  type Comparison,
  type ComparisonOperator,
  type ComparisonValue,
  type DateInput,
  Environment,
  type EqualityValue,
  isQuery,
  isQueryVariable,
  type Leaf,
  Metadata,
  Metric,
  type Not,
  type NullTest,
  type NullTestOperator,
  type NumericColumnType,
  not,
  type Or,
  type OrderValue,
  Other,
  or,
  Parameter,
  Query,
  type QueryVariable,
  Tag,
  type TagQuery,
  type TextMatch,
  type TextOperator,
  type ValueFor,
  type ValueInput,
  type VariableSource
} from "./Query.js"
export { queryVariables } from "./QueryVariables.js"
