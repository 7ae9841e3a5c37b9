/**
 * What a query is evaluated against: one experiment's current values by source. The emulator
 * builds these from its dataset; users can build them to test queries locally.
 *
 * @since 0.1.0
 */

/**
 * A value as Comet stores it for queries. Metadata datetimes (`start_server_timestamp`,
 * `end_server_timestamp`, `last_message_time`) are epoch milliseconds; timenumbers
 * (`duration`) are milliseconds.
 *
 * @since 0.1.0
 */
export type RecordValue = string | number | boolean | null

/**
 * One experiment's queryable values.
 *
 * @since 0.1.0
 */
export interface ExperimentRecord {
  /** Current (last logged) value of each metric. */
  readonly metrics: Readonly<Record<string, RecordValue>>
  /** Parameters. */
  readonly params: Readonly<Record<string, RecordValue>>
  /** Log-others. */
  readonly others: Readonly<Record<string, RecordValue>>
  /** Metadata columns, by column name (`user_name`, `duration`, `start_server_timestamp`, …). */
  readonly metadata: Readonly<Record<string, RecordValue>>
  /** Environment details (`env_details` columns). */
  readonly env: Readonly<Record<string, RecordValue>>
  /** Tags. */
  readonly tags: ReadonlyArray<string>
}
