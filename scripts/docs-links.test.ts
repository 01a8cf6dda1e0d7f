import { existsSync, readdirSync, readFileSync, statSync } from "node:fs";
import { dirname, isAbsolute, join, relative, resolve } from "node:path";
import { fileURLToPath } from "node:url";
import { describe, expect, it } from "vitest";

/**
 * Every relative link in README.md and docs/**\/*.md must resolve to a file inside the repository
 * (a user who clones it has nothing beside it), and a `#fragment` into a Markdown file must name a
 * heading there: code comments cite docs/api.md anchors, so a renamed heading must fail here.
 */

const REPO_ROOT = resolve(dirname(fileURLToPath(import.meta.url)), "..");

interface DocLink {
  line: number;
  target: string;
}

/** Inline links and images `[text](target "title")`, and reference definitions `[id]: target`. */
const INLINE_LINK = /!?\[(?:[^\]\\]|\\.)*\]\(\s*(<[^>]*>|[^\s)]+)(?:\s+["'(][^)]*)?\)/g;
const REFERENCE_DEFINITION = /^\s{0,3}\[[^\]]+\]:\s*(<[^>]*>|\S+)/;
const SCHEME = /^[a-z][a-z0-9+.-]*:/i;

/** The links of one Markdown text, outside fenced code blocks and inline code spans. Pure. */
function extractLinks(markdown: string): DocLink[] {
  const links: DocLink[] = [];
  let fence: string | null = null;
  markdown.split("\n").forEach((rawLine, index) => {
    const fenceMatch = /^\s{0,3}(`{3,}|~{3,})/.exec(rawLine);
    if (fenceMatch) {
      const marker = fenceMatch[1]!;
      if (fence === null) fence = marker[0]!.repeat(marker.length);
      else if (marker.startsWith(fence)) fence = null;
      return;
    }
    if (fence !== null) return;
    const line = rawLine.replace(/(`+)(?:(?!\1).)+?\1/g, "");
    const definition = REFERENCE_DEFINITION.exec(line);
    if (definition) links.push({ line: index + 1, target: unwrap(definition[1]!) });
    for (const match of line.matchAll(INLINE_LINK)) links.push({ line: index + 1, target: unwrap(match[1]!) });
  });
  return links;
}

const unwrap = (target: string): string => (target.startsWith("<") && target.endsWith(">") ? target.slice(1, -1) : target);

/** GitHub's heading anchors: lower-case, inline markup and punctuation dropped, spaces → "-", repeats numbered. Pure. */
function headingAnchors(markdown: string): Set<string> {
  const anchors = new Set<string>();
  const seen = new Map<string, number>();
  let fence: string | null = null;
  for (const rawLine of markdown.split("\n")) {
    const fenceMatch = /^\s{0,3}(`{3,}|~{3,})/.exec(rawLine);
    if (fenceMatch) {
      const marker = fenceMatch[1]!;
      if (fence === null) fence = marker[0]!.repeat(marker.length);
      else if (marker.startsWith(fence)) fence = null;
      continue;
    }
    if (fence !== null) continue;
    const heading = /^\s{0,3}#{1,6}\s+(.*?)\s*#*\s*$/.exec(rawLine);
    if (heading) addAnchor(anchors, seen, slug(heading[1]!));
    for (const explicit of rawLine.matchAll(/<a\s+(?:id|name)="([^"]+)"/g)) anchors.add(explicit[1]!);
  }
  return anchors;
}

function addAnchor(anchors: Set<string>, seen: Map<string, number>, base: string): void {
  const repeats = seen.get(base) ?? 0;
  seen.set(base, repeats + 1);
  anchors.add(repeats === 0 ? base : `${base}-${repeats}`);
}

function slug(headingText: string): string {
  return headingText
    .replace(/!?\[([^\]]*)\]\([^)]*\)/g, "$1")
    .replace(/<[^>]+>/g, "")
    .toLowerCase()
    .replace(/[^\p{L}\p{N}\s_-]/gu, "")
    .replace(/\s/g, "-");
}

type LinkProblem = { file: string; line: number; target: string; problem: string };

/** Checks one file's links against the file system rooted at `repoRoot`. */
function checkLinks(repoRoot: string, file: string, markdown: string, readText = (path: string) => readFileSync(path, "utf8")): LinkProblem[] {
  const problems: LinkProblem[] = [];
  const report = (link: DocLink, problem: string) => problems.push({ file: relative(repoRoot, file), line: link.line, target: link.target, problem });
  for (const link of extractLinks(markdown)) {
    const { target } = link;
    if (target.startsWith("#")) {
      if (!headingAnchors(markdown).has(decodeURIComponent(target.slice(1)))) report(link, "no such heading in this file");
      continue;
    }
    if (SCHEME.test(target)) {
      if (/^file:/i.test(target)) report(link, "file: links point outside the repository");
      continue;
    }
    const [pathPart, fragment] = splitTarget(target);
    const resolved = pathPart.startsWith("/") ? join(repoRoot, pathPart) : resolve(dirname(file), decodeURIComponent(pathPart));
    const inside = relative(repoRoot, resolved);
    if (inside.startsWith("..") || isAbsolute(inside)) {
      report(link, "leaves the repository");
      continue;
    }
    if (!existsSync(resolved)) {
      report(link, "no such file in the repository");
      continue;
    }
    if (fragment !== null && resolved.endsWith(".md") && statSync(resolved).isFile()) {
      if (!headingAnchors(readText(resolved)).has(decodeURIComponent(fragment))) report(link, `no heading #${fragment} in ${relative(repoRoot, resolved)}`);
    }
  }
  return problems;
}

function splitTarget(target: string): [string, string | null] {
  const hash = target.indexOf("#");
  const withoutFragment = hash < 0 ? target : target.slice(0, hash);
  const path = withoutFragment.split("?")[0]!;
  return [path, hash < 0 ? null : target.slice(hash + 1)];
}

function markdownFilesUnder(dir: string): string[] {
  if (!existsSync(dir)) return [];
  return readdirSync(dir, { withFileTypes: true }).flatMap((entry) => {
    const path = join(dir, entry.name);
    if (entry.isDirectory()) return markdownFilesUnder(path);
    return entry.name.endsWith(".md") ? [path] : [];
  });
}

describe("extractLinks / headingAnchors", () => {
  it("finds inline links, images and reference definitions, not links inside code", () => {
    const text = [
      "See [api](docs/api.md#routes) and ![pic](docs/a.png \"title\").",
      "[ref]: ../shared/SPEC.md",
      "Inline `[not](a-link.md)` code.",
      "```",
      "[also not](inside-fence.md)",
      "```",
    ].join("\n");
    expect(extractLinks(text).map((link) => link.target)).toEqual(["docs/api.md#routes", "docs/a.png", "../shared/SPEC.md"]);
  });

  it("builds GitHub's anchors for headings with code, slashes and repeats", () => {
    const anchors = headingAnchors("## Routes\n### `POST /api/v1/auth/connect`\n## Routes\n## Retry-After & friends");
    expect([...anchors]).toEqual(["routes", "post-apiv1authconnect", "routes-1", "retry-after--friends"]);
  });
});

describe("checkLinks", () => {
  const fakeRoot = resolve(REPO_ROOT);

  it("refuses a link that leaves the repository, even when the target exists", () => {
    const problems = checkLinks(fakeRoot, join(fakeRoot, "README.md"), "[contract](../shared/SPEC.md)");
    expect(problems).toEqual([expect.objectContaining({ target: "../shared/SPEC.md", problem: "leaves the repository" })]);
  });

  it("refuses a missing file and a missing heading, accepts an existing one", () => {
    const file = join(fakeRoot, "docs", "x.md");
    const problems = checkLinks(fakeRoot, file, "[a](nope.md) [b](../README.md#no-such-heading) [c](../README.md) [d](#here)\n## Here");
    expect(problems.map((problem) => problem.target)).toEqual(["nope.md", "../README.md#no-such-heading"]);
  });
});

describe("repository documentation links", () => {
  const files = [join(REPO_ROOT, "README.md"), ...markdownFilesUnder(join(REPO_ROOT, "docs"))];

  it("covers the README and the docs", () => {
    expect(files.length).toBeGreaterThan(3);
  });

  it.each(files.map((file) => [relative(REPO_ROOT, file), file]))("%s: every relative link resolves inside the repository", (_name, file) => {
    expect(checkLinks(REPO_ROOT, file, readFileSync(file, "utf8"))).toEqual([]);
  });
});
