// A single-page app: every page renders in the browser and talks to the GraphQL API.
export const ssr = false;
export const prerender = false;
