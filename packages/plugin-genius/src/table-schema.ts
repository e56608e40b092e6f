/** A table as information_schema describes it at run time. */
export interface TableSchema {
  /** Column name → MySQL data type (`datetime`, `date`, `decimal`, …), in table order. */
  columns: Map<string, string>;
  /** Columns that lead an index: a range on one of them is an index range scan. */
  leadingIndexed: Set<string>;
}

type Query = (sql: string, params: unknown[]) => Promise<Record<string, unknown>[]>;

/**
 * Reads one table's columns and the first column of each of its indexes. A customer's
 * Genius database is theirs: which columns exist and which are indexed is asked, not assumed.
 */
export async function readTableSchema(
  query: Query,
  database: string,
  table: string,
): Promise<TableSchema> {
  const columns = await query(
    `SELECT column_name AS name, data_type AS type FROM information_schema.columns
      WHERE table_schema = ? AND table_name = ? ORDER BY ordinal_position`,
    [database, table],
  );
  const indexes = await query(
    `SELECT DISTINCT column_name AS name FROM information_schema.statistics
      WHERE table_schema = ? AND table_name = ? AND seq_in_index = 1`,
    [database, table],
  );
  return {
    columns: new Map(columns.map((c) => [String(c.name), String(c.type).toLowerCase()])),
    leadingIndexed: new Set(indexes.map((i) => String(i.name))),
  };
}
