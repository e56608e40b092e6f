/** The faker CRM's entities and record shape: shared by its client, its entities and its fake. */
export const FAKER_ENTITIES = ['contacts', 'companies', 'deals', 'activities'] as const;
export type FakerEntity = (typeof FAKER_ENTITIES)[number];

export type FakerRecord = Record<string, string | number | boolean | null>;
