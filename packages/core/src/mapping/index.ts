export { asDate, coerceValue } from './coerce.js';
export { getPath } from './path.js';
export { createDefaultProcessor } from './processor.js';
