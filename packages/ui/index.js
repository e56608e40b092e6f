import { fileURLToPath } from 'node:url';

/** Absolute path of the built dashboard (static files + `index.html` fallback). */
export const dashboardDir = fileURLToPath(new URL('./build/', import.meta.url));
