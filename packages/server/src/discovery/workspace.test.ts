import { describe, expect, it } from 'vitest';
import { pnpmWorkspacePatterns, workspaceIncludes } from './workspace.js';

describe('workspace globs', () => {
  it("reads pnpm-workspace.yaml's packages in block or flow style, quoted or not, with comments", () => {
    expect(
      pnpmWorkspacePatterns(
        'packages:\n  - packages/*\n  - \'examples/*\' # runnable\n  - "!**/test/**"\nonlyBuiltDependencies:\n  - esbuild\n',
      ),
    ).toEqual(['packages/*', 'examples/*', '!**/test/**']);
    expect(pnpmWorkspacePatterns("packages: ['apps/*', libs]\n")).toEqual(['apps/*', 'libs']);
    expect(pnpmWorkspacePatterns('onlyBuiltDependencies:\n  - esbuild\n')).toEqual([]);
  });

  it('matches a package folder by *, ** and exact globs, and ! excludes', () => {
    const ws = { root: '/ws', patterns: ['packages/*', 'crms/**', 'tools', '!**/fixtures/**'] };
    expect(workspaceIncludes(ws, '/ws/packages/plugin-x')).toBe(true);
    expect(workspaceIncludes(ws, '/ws/packages/a/b')).toBe(false);
    expect(workspaceIncludes(ws, '/ws/crms/a/b/plugin-y')).toBe(true);
    expect(workspaceIncludes(ws, '/ws/tools')).toBe(true);
    expect(workspaceIncludes(ws, '/ws/toolsx')).toBe(false);
    expect(workspaceIncludes(ws, '/ws/crms/fixtures/plugin-z')).toBe(false);
    expect(workspaceIncludes(ws, '/elsewhere/packages/plugin-x')).toBe(false);
  });
});
