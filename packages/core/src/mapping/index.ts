export { asDate, coerceValue } from './coerce.js';
export { compilePath, getPath } from './path.js';
export { createDefaultProcessor } from './processor.js';
export { assertTimeZone, instantToWall, wallToInstant, zoneOffsetAt } from './time-zones.js';
