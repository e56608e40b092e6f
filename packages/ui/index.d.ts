/** Absolute path of the built dashboard (static files + `index.html` fallback). */
export declare const dashboardDir: string;
