import { createRequire } from 'node:module';

/**
 * The one `graphql` instance the API uses. graphql 16 ships a CommonJS and an ESM build without
 * an exports map: Node's `import 'graphql'` loads the CommonJS one (as Pothos and yoga do), while
 * Vite-based tools pick index.mjs. Two instances break `instanceof` checks (schema printing,
 * error masking), so the API always loads the one Node loads.
 */
export const graphql = createRequire(import.meta.url)('graphql') as typeof import('graphql');
