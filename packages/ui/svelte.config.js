import adapter from '@sveltejs/adapter-static';

/** The dashboard is a single-page app: the crmsync server serves `build/` and the GraphQL API on one port. */
export default {
  kit: {
    adapter: adapter({ pages: 'build', assets: 'build', fallback: 'index.html', strict: false }),
  },
};
