import { geniusEntity } from './table.js';

// Genius's own copies of MarketSharp data and its integration fields (CONTRACTS.md §12 names
// the tables, not their columns): only the key — and the update time the contract gives
// `marketsharp_appointments` — is declared; every column the table has travels in the record.
const keyOnly = { id: { type: 'integer' as const, required: true } };

export const integrationFieldDefinitions = geniusEntity({
  name: 'integration_field_definitions',
  displayName: 'Integration field definitions',
  table: 'integration_field_definition',
  key: 'id',
  fields: keyOnly,
});

export const integrationFields = geniusEntity({
  name: 'integration_fields',
  displayName: 'Integration fields',
  table: 'integration_field',
  key: 'id',
  dependsOn: ['integration_field_definitions'],
  fields: keyOnly,
});

export const marketsharpSources = geniusEntity({
  name: 'marketsharp_sources',
  displayName: 'MarketSharp sources (Genius copy)',
  table: 'marketsharp_source',
  key: 'id',
  fields: keyOnly,
});

export const marketsharpMarketingSourceMaps = geniusEntity({
  name: 'marketsharp_marketing_source_maps',
  displayName: 'MarketSharp → marketing source map (Genius copy)',
  table: 'marketsharp_marketing_source_map',
  key: 'id',
  dependsOn: ['marketsharp_sources', 'marketing_sources'],
  fields: keyOnly,
});

export const marketsharpContacts = geniusEntity({
  name: 'marketsharp_contacts',
  displayName: 'MarketSharp contacts (Genius copy)',
  table: 'marketsharp_contacts',
  key: 'id',
  fields: keyOnly,
});

export const marketsharpAppointments = geniusEntity({
  name: 'marketsharp_appointments',
  displayName: 'MarketSharp appointments (Genius copy)',
  table: 'marketsharp_appointments',
  key: 'id',
  deltaColumn: 'updated_at',
  dependsOn: ['marketsharp_contacts'],
  fields: { ...keyOnly, updated_at: { type: 'datetime' } },
});
