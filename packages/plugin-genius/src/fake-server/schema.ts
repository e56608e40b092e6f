/**
 * A Genius-like schema for tests and benchmarks: the tables and columns the legacy queries
 * relied on (CONTRACTS.md §12), naive DATETIMEs, `lead` as a reserved-word table name and
 * `user_data` keyed by `user_id`. Required-by-Genius columns are nullable here so tests can
 * serve a broken row.
 */
const ref = (table: string, extra = '') =>
  `CREATE TABLE \`${table}\` (id INT PRIMARY KEY, label VARCHAR(255)${extra})`;
const stamped =
  'created_at DATETIME NULL, updated_at DATETIME NULL, KEY ix_updated (updated_at, id)';

export const GENIUS_DDL: readonly string[] = [
  'CREATE TABLE division_region (id INT PRIMARY KEY, name VARCHAR(255), is_active TINYINT(1))',
  `CREATE TABLE division_group (id INT PRIMARY KEY, group_label VARCHAR(255), region_id INT,
    default_time_zone_name VARCHAR(64), is_active TINYINT(1), ${stamped})`,
  `CREATE TABLE division (id INT PRIMARY KEY, group_id INT, region_id INT, label VARCHAR(255),
    abbreviation VARCHAR(20), is_utility TINYINT(1), is_corp TINYINT(1), is_omniscient TINYINT(1),
    is_inactive TINYINT(1), account_scheduler_id INT, ${stamped})`,
  `CREATE TABLE user_title (id INT PRIMARY KEY, title VARCHAR(255), type_id INT, is_active TINYINT(1), ${stamped})`,
  `CREATE TABLE user_data (user_id INT PRIMARY KEY, division_id INT, title_id INT, first_name VARCHAR(100),
    last_name VARCHAR(100), email VARCHAR(255), hired_on DATE, is_inactive TINYINT(1),
    add_datetime DATETIME, updated_at DATETIME NULL, KEY ix_updated (updated_at, user_id))`,
  'CREATE TABLE users_userassociations (id INT PRIMARY KEY, user_id INT, division_id INT, created_at DATETIME)',
  `CREATE TABLE service (id INT PRIMARY KEY, label VARCHAR(255), is_active TINYINT(1), is_lead_required TINYINT(1),
    order_number INT, ${stamped})`,
  ref('marketing_source_type', ', description TEXT, is_active TINYINT(1), list_order INT'),
  `CREATE TABLE marketing_source (id INT PRIMARY KEY, type_id INT, label VARCHAR(255), description TEXT,
    start_date DATE, end_date DATE, add_user_id INT, add_date DATETIME, is_active TINYINT(1),
    is_allow_lead_modification TINYINT(1), updated_at DATETIME NULL, KEY ix_updated (updated_at, id))`,
  `CREATE TABLE prospect (id INT PRIMARY KEY, division_id INT, user_id INT, first_name VARCHAR(100),
    last_name VARCHAR(100), address1 VARCHAR(255), city VARCHAR(100), county VARCHAR(100), state CHAR(2),
    zip VARCHAR(10), year_built INT, phone1 VARCHAR(20), phone2 VARCHAR(20), email VARCHAR(255),
    add_date DATETIME, marketsharp_id VARCHAR(64), leap_customer_id VARCHAR(64), updated_at DATETIME NULL,
    KEY ix_updated (updated_at, id))`,
  `CREATE TABLE prospect_source (id INT PRIMARY KEY, prospect_id INT, marketing_source_id INT, source_user_id INT,
    interface_id INT, source_date DATETIME, notes TEXT, add_user_id INT, add_date DATETIME,
    updated_at DATETIME NULL, KEY ix_updated (updated_at, id))`,
  ref('appointment_type', ', is_active TINYINT(1)'),
  ref('appointment_outcome_type', ', is_active TINYINT(1)'),
  `CREATE TABLE appointment_outcome (id INT PRIMARY KEY, type_id INT, label VARCHAR(255), is_active TINYINT(1), ${stamped})`,
  `CREATE TABLE appointment (id INT PRIMARY KEY, prospect_id INT NULL, prospect_source_id INT, user_id INT,
    type_id INT, date DATE, time TIME, duration INT, address1 VARCHAR(255), city VARCHAR(100), state CHAR(2),
    zip VARCHAR(10), email VARCHAR(255), notes TEXT, add_user_id INT, add_date DATETIME, assign_date DATETIME,
    confirm_date DATETIME, is_complete TINYINT(1), complete_outcome_id INT, complete_date DATETIME,
    updated_at DATETIME NULL, marketsharp_id VARCHAR(64), leap_estimate_id VARCHAR(64),
    KEY ix_updated (updated_at, id))`,
  'CREATE TABLE appointment_to_service (id INT PRIMARY KEY, appointment_id INT, service_id INT)',
  `CREATE TABLE \`lead\` (lead_id INT PRIMARY KEY, first_name VARCHAR(100), last_name VARCHAR(100),
    email VARCHAR(255), phone1 VARCHAR(20), address1 VARCHAR(255), city VARCHAR(100), state CHAR(2),
    zip VARCHAR(10), source INT, added_by INT, division INT, status VARCHAR(50), copied_to_id INT,
    added_on DATETIME, updated_at DATETIME NULL, KEY ix_updated (updated_at, lead_id))`,
  `CREATE TABLE quote (id INT PRIMARY KEY, prospect_id INT, appointment_id INT, job_id INT, service_id INT,
    label VARCHAR(255), amount DECIMAL(12,2), expire_date DATE, status_id INT, add_date DATETIME,
    updated_at DATETIME NULL, KEY ix_updated (updated_at, id))`,
  ref('job_status', ', is_system TINYINT(1)'),
  ref('job_financing', ', is_active TINYINT(1)'),
  `CREATE TABLE job (id INT PRIMARY KEY, prospect_id INT, division_id INT, status INT, contract_number VARCHAR(50),
    contract_date DATE, contract_amount DECIMAL(12,2), sold_date DATE, start_date DATE, finish_date DATE,
    cancel_date DATE, updated_at DATETIME NULL, KEY ix_updated (updated_at, id))`,
  ref('job_change_order_reason', ', description TEXT'),
  ref('job_change_order_status', ', is_selectable TINYINT(1)'),
  ref('job_change_order_type'),
  `CREATE TABLE job_change_order (id INT PRIMARY KEY, job_id INT NULL, number VARCHAR(50), status_id INT,
    type_id INT, reason_id INT, amount DECIMAL(12,2), add_user_id INT, add_date DATETIME, sold_date DATE,
    cancel_date DATE, updated_at DATETIME NULL, KEY ix_updated (updated_at, id))`,
  `CREATE TABLE job_change_order_item (id INT PRIMARY KEY, change_order_id INT, description TEXT,
    amount DECIMAL(12,2), created_at DATETIME)`,
];
