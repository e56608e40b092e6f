import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import type { CrmPlugin } from '@crmsync/core';
import type { Command } from 'commander';
import { describe, expect, it } from 'vitest';
import { buildProgram } from '../packages/server/src/cli/program.js';

// docs/MIGRATING.md maps the old system's 84 commands to crmsync's. Every `crmsync …` it names
// must be a command the CLI has, with options it accepts, and a CRM and entity that are
// installed: a renamed flag or entity makes this test fail rather than the guide go stale.
const ROOT = fileURLToPath(new URL('..', import.meta.url));
const guide = readFileSync(`${ROOT}docs/MIGRATING.md`, 'utf8');

/**
 * The commands the old system's inventory names (shared/seeds, the 004 document): it counts 84
 * and names these 90 (its per-CRM counts and lists disagree in places).
 */
const INVENTORY = [
  'db_genius_all',
  'db_genius_appointments',
  'db_genius_leads',
  'db_genius_prospects',
  'db_genius_quotes',
  'db_genius_jobs',
  'db_genius_users',
  'db_genius_divisions',
  'db_genius_services',
  'db_genius_appointment_outcome_types',
  'db_genius_appointment_outcomes',
  'db_genius_appointment_services',
  'db_genius_appointment_types',
  'db_genius_division_groups',
  'db_genius_division_regions',
  'db_genius_job_change_order_items',
  'db_genius_job_change_order_reasons',
  'db_genius_job_change_order_statuses',
  'db_genius_job_change_order_types',
  'db_genius_job_change_orders',
  'db_genius_job_financings',
  'db_genius_job_statuses',
  'db_genius_marketing_source_types',
  'db_genius_marketing_sources',
  'db_genius_marketsharp_marketing_source_maps',
  'db_genius_marketsharp_sources',
  'db_genius_prospect_sources',
  'db_genius_user_associations',
  'db_genius_user_titles',
  'sync_hubspot_all',
  'sync_hubspot_appointments',
  'sync_hubspot_appointments_removal',
  'sync_hubspot_associations',
  'sync_hubspot_contacts',
  'sync_hubspot_contacts_removal',
  'sync_hubspot_deals',
  'sync_hubspot_divisions',
  'sync_hubspot_genius_users',
  'sync_hubspot_zipcodes',
  'base_hubspot_sync',
  'smart_sync_hubspot_contacts',
  'sync_callrail_all',
  'sync_callrail_accounts',
  'sync_callrail_calls',
  'sync_callrail_companies',
  'sync_callrail_form_submissions',
  'sync_callrail_tags',
  'sync_callrail_text_messages',
  'sync_callrail_trackers',
  'sync_callrail_users',
  'sync_arrivy_all',
  'sync_arrivy_bookings',
  'sync_arrivy_entities',
  'sync_arrivy_groups',
  'sync_arrivy_statuses',
  'sync_arrivy_tasks',
  'sync_salesrabbit_all',
  'sync_salesrabbit_leads',
  'sync_salesrabbit_leads_new',
  'sync_salesrabbit_users',
  'base_salesrabbit_sync',
  'db_salespro_all',
  'db_salespro_creditapplications',
  'db_salespro_customers',
  'db_salespro_estimates',
  'db_salespro_leadresults',
  'base_salespro_sync',
  'csv_salespro_offices',
  'csv_salespro_users',
  'sync_gsheet_all',
  'sync_gsheet_marketing_leads',
  'sync_gsheet_marketing_spends',
  'sync_leadconduit_all',
  'sync_leadconduit_leads',
  'sync_five9_contacts',
  'sync_marketsharp_data',
  'check_duplicate_appointments',
  'debug_environment',
  'diagnose_appointment_services',
  'enable_production_tasks',
  'generate_automation_reports',
  'init_enterprise_features',
  'test_automation_reports',
  'test_dashboard',
  'test_redis_connection',
  'analyze_database_schema',
  'create_initial_reports',
  'dedup_genius_prospects',
  'dedup_hubspot_appointments',
  'unlink_hubspot_divisions',
];

/** The custom objects the guide asks a HubSpot user to declare. */
const CONFIG: Record<string, Record<string, string>> = {
  hubspot: {
    HUBSPOT_CUSTOM_OBJECTS: /HUBSPOT_CUSTOM_OBJECTS=([^`\s]+)/.exec(guide)?.[1] ?? '',
  },
};

/** Every inline `crmsync …` of the guide without a placeholder, split into words. */
function commandsOf(text: string): string[][] {
  const found = [...text.matchAll(/`(crmsync [^`]+)`/g)].map((m) => m[1] as string);
  return found
    .filter((c) => !c.includes('<') && !c.includes('…'))
    .map((c) => (c.match(/"[^"]*"|\S+/g) ?? []).slice(1).map((w) => w.replace(/^"|"$/g, '')));
}

async function installedPlugins(): Promise<Map<string, CrmPlugin>> {
  const manifest = JSON.parse(readFileSync(`${ROOT}package.json`, 'utf8')) as {
    devDependencies: Record<string, string>;
  };
  const plugins = new Map<string, CrmPlugin>();
  for (const name of Object.keys(manifest.devDependencies)) {
    if (!name.startsWith('@crmsync/plugin-')) continue;
    const mod = (await import(name)) as Record<string, unknown>;
    for (const value of Object.values(mod)) {
      const plugin = value as CrmPlugin;
      if (plugin && typeof plugin === 'object' && 'entities' in plugin && 'name' in plugin)
        plugins.set(plugin.name, plugin);
    }
  }
  return plugins;
}

function entityNames(plugin: CrmPlugin): string[] {
  const config = CONFIG[plugin.name] ?? {};
  const entities = plugin.configureEntities?.(config) ?? plugin.entities;
  return entities.map((e) => e.name);
}

/** Checks one command line against the program: command path, options, arguments. */
function check(program: Command, words: string[], plugins: Map<string, CrmPlugin>): string | null {
  let command = program;
  const rest = [...words];
  while (rest.length > 0 && command.commands.length > 0) {
    const next = command.commands.find((c) => c.name() === rest[0]);
    if (!next) return `no command "${rest[0]}" under "${command.name()}"`;
    command = next;
    rest.shift();
  }
  const known = new Set(command.options.flatMap((o) => [o.long, o.short].filter(Boolean)));
  const args: string[] = [];
  for (let i = 0; i < rest.length; i++) {
    const word = rest[i] as string;
    if (!word.startsWith('-')) {
      args.push(word);
      continue;
    }
    const flag = word.split('=')[0] as string;
    const option = command.options.find((o) => o.long === flag || o.short === flag);
    if (!option && !known.has(flag)) {
      // A plugin's own option (`--window-ahead-days`) is accepted by sync for that plugin.
      const plugin = plugins.get(args[0] ?? '');
      const name = flag.slice(2);
      if (command.name() === 'sync' && plugin?.options?.[name]) {
        if (plugin.options[name]?.type !== 'boolean' && !word.includes('=')) i++;
        continue;
      }
      return `"${command.name()}" has no option ${flag}`;
    }
    if (option && (option.required || option.optional) && !word.includes('=')) i++;
  }
  const expected = command.registeredArguments;
  const required = expected.filter((a) => a.required).length;
  if (args.length < required || args.length > expected.length)
    return `"${command.name()}" takes ${required}–${expected.length} arguments, got ${args.length}`;
  if (['sync', 'add'].includes(command.name()) && expected[0]?.name() === 'crm') {
    const [crm, entity] = args as [string, string];
    const plugin = plugins.get(crm);
    if (!plugin) return `no plugin "${crm}" is installed`;
    if (entity !== 'all' && !entityNames(plugin).includes(entity))
      return `${crm} has no entity "${entity}"`;
  }
  return null;
}

describe('docs/MIGRATING.md', () => {
  it('names only commands, options, CRMs and entities that exist', async () => {
    const plugins = await installedPlugins();
    const { program } = buildProgram();
    const commands = commandsOf(guide);
    expect(commands.length).toBeGreaterThan(90);
    const problems = commands
      .map((words) => [words.join(' '), check(program, words, plugins)] as const)
      .filter(([, problem]) => problem !== null);
    expect(problems).toEqual([]);
  });

  it('maps every command of the old inventory', () => {
    const missing = INVENTORY.filter((name) => !guide.includes(`\`${name}\``));
    expect(missing).toEqual([]);
  });

  it('catches a command that does not exist', async () => {
    const plugins = await installedPlugins();
    const { program } = buildProgram();
    expect(check(program, ['sync', 'hubspot', 'contactz'], plugins)).toMatch(/no entity/);
    expect(
      check(program, ['sync', 'hubspot', 'contacts', '--since', '2025-01-01'], plugins),
    ).toMatch(/no option --since/);
    expect(check(program, ['schedule', 'enable', '3'], plugins)).toMatch(/no command "enable"/);
    expect(check(program, ['sync', 'nocrm', 'all'], plugins)).toMatch(/no plugin/);
  });
});
