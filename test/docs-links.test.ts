/**
 * Every relative link of the repository's Markdown files points at a file or
 * directory of the repository (a clone has no ../shared, no other checkout),
 * every `#anchor` into a Markdown file names one of its headings, and no
 * text names a path under ../shared.
 */
import { execFileSync } from 'child_process';
import { existsSync, readFileSync, statSync } from 'fs';
import { dirname, join, relative } from 'path';

const ROOT = join(__dirname, '..');

/**
 * Dead links that live in files another change owns, each to be fixed there.
 * The test fails when one of them is fixed or gone, so this list only shrinks.
 */
const KNOWN_DEAD: Record<string, string[]> = {};

/** GitHub's anchor of a heading: lower case, punctuation dropped, spaces to dashes. */
function anchorOf(heading: string): string {
  return heading
    .trim()
    .toLowerCase()
    .replace(/[^\p{L}\p{N} _-]/gu, '')
    .replace(/ /g, '-');
}

function markdownFiles(): string[] {
  return execFileSync('git', ['ls-files', '*.md', '**/*.md'], { cwd: ROOT, encoding: 'utf8' })
    .split('\n')
    .filter(Boolean);
}

describe('Markdown links', () => {
  it('point inside the repository, at files and headings that exist', () => {
    const dead: string[] = [];
    const known: string[] = [];
    for (const file of markdownFiles()) {
      const text = readFileSync(join(ROOT, file), 'utf8').replace(/```[\s\S]*?```/g, '');
      for (const m of text.matchAll(/\]\(([^)\s]+)\)/g)) {
        const target = m[1];
        if (/^[a-z]+:/i.test(target)) continue; // http:, https:, mailto:
        const [path, anchor] = target.split('#');
        const resolved = path ? join(dirname(join(ROOT, file)), path) : join(ROOT, file);
        let ok = existsSync(resolved) && relative(ROOT, resolved).split('/')[0] !== '..';
        if (ok && anchor && resolved.endsWith('.md') && statSync(resolved).isFile()) {
          const headings = [...readFileSync(resolved, 'utf8').matchAll(/^#+\s+(.*)$/gm)].map((h) => anchorOf(h[1]));
          ok = headings.includes(anchor);
        }
        if (ok) continue;
        if (KNOWN_DEAD[file]?.includes(target)) known.push(`${file}: ${target}`);
        else dead.push(`${file}: ${target}`);
      }
      // Paths outside the repository named in the text (not as links) are dead in a clone too.
      for (const m of text.matchAll(/\.\.\/shared\/[\w.-]+/g)) {
        if (KNOWN_DEAD[file]?.includes(m[0])) known.push(`${file}: ${m[0]}`);
        else dead.push(`${file}: ${m[0]}`);
      }
    }
    expect(dead).toEqual([]);
    expect(known.sort()).toEqual(
      Object.entries(KNOWN_DEAD)
        .flatMap(([f, ts]) => ts.map((t) => `${f}: ${t}`))
        .sort(),
    );
  });
});
