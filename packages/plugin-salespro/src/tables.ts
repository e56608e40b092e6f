/** Athena column types the SalesPro vault's tables use. */
export type AthenaType = 'varchar' | 'timestamp' | 'double' | 'boolean' | 'bigint';

/** One table of the SalesPro vault as read through Athena. */
export interface SalesProTable {
  /** `sync_type`. */
  name: string;
  displayName: string;
  table: string;
  key: string;
  /** The change stamp a delta filters on (exclusive), as the seeds did. */
  deltaColumn: 'updated_at' | 'created_at';
  /** A column every row has: strict validation fails a row without it. */
  required: string;
  columns: Record<string, AthenaType>;
  /** Not in every vault (documented by LEAP, never read by the seeds). */
  optional?: boolean;
}

const V = 'varchar';
const T = 'timestamp';

/**
 * The vault's tables with the columns the seeds read (`customer`, `estimate`,
 * `credit_applications`, `lead_results`), and the two the vault's docs name
 * (`payments`, `user_activities`; shapes unconfirmed).
 */
export const TABLES: SalesProTable[] = [
  {
    name: 'customers',
    displayName: 'Customers',
    table: 'customer',
    key: 'customer_id',
    deltaColumn: 'updated_at',
    required: 'company_id',
    columns: {
      customer_id: V,
      estimate_id: V,
      company_id: V,
      company_name: V,
      customer_first_name: V,
      customer_last_name: V,
      crm_source: V,
      crm_source_id: V,
      created_at: T,
      updated_at: T,
    },
  },
  {
    name: 'estimates',
    displayName: 'Estimates',
    table: 'estimate',
    key: 'estimate_id',
    deltaColumn: 'updated_at',
    required: 'company_id',
    columns: {
      estimate_id: V,
      company_id: V,
      company_name: V,
      office_id: V,
      office_name: V,
      sales_rep_id: V,
      sales_rep_first_name: V,
      sales_rep_last_name: V,
      customer_id: V,
      customer_first_name: V,
      customer_last_name: V,
      street_address: V,
      city: V,
      state: V,
      zip_code: V,
      sale_amount: 'double',
      is_sale: 'boolean',
      job_type: V,
      finance_amount: 'double',
      bank_name: V,
      loan_name: V,
      down_payment: 'double',
      has_credit_app: 'boolean',
      document_count: 'bigint',
      created_at: T,
      updated_at: T,
    },
  },
  {
    name: 'credit_applications',
    displayName: 'Credit applications',
    table: 'credit_applications',
    key: 'leap_credit_app_id',
    deltaColumn: 'updated_at',
    required: 'company_id',
    columns: {
      leap_credit_app_id: V,
      company_id: V,
      company_name: V,
      sales_rep_id: V,
      customer_id: V,
      credit_app_vendor: V,
      credit_app_vendor_id: V,
      credit_app_amount: 'double',
      credit_app_status: V,
      credit_app_note: V,
      created_at: T,
      updated_at: T,
    },
  },
  {
    name: 'lead_results',
    displayName: 'Lead results',
    table: 'lead_results',
    key: 'estimate_id',
    deltaColumn: 'created_at',
    required: 'company_id',
    columns: { estimate_id: V, company_id: V, lead_results: V, created_at: T, updated_at: T },
  },
  {
    name: 'payments',
    displayName: 'Payments',
    table: 'payments',
    key: 'payment_id',
    deltaColumn: 'updated_at',
    required: 'company_id',
    optional: true,
    columns: {
      payment_id: V,
      estimate_id: V,
      customer_id: V,
      company_id: V,
      amount: 'double',
      payment_type: V,
      status: V,
      created_at: T,
      updated_at: T,
    },
  },
  {
    name: 'user_activities',
    displayName: 'User activities',
    table: 'user_activities',
    key: 'activity_id',
    deltaColumn: 'updated_at',
    required: 'user_id',
    optional: true,
    columns: {
      activity_id: V,
      user_id: V,
      company_id: V,
      activity_type: V,
      description: V,
      created_at: T,
      updated_at: T,
    },
  },
];

export function salesproTable(name: string): SalesProTable {
  const t = TABLES.find((x) => x.name === name || x.table === name);
  if (!t) throw new Error(`salespro: no table ${name}`);
  return t;
}
