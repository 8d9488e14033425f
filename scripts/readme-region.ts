// Generated regions of README.md: the text between `<!-- <name>:start -->` and `<!-- <name>:end -->`
// (the rules table from scripts/generate.ts, the benchmark table from bench/run.ts).

/** The text with the region's content replaced (`content` ends with a newline); undefined when the region is missing. */
export function replaceRegion(text: string, name: string, content: string): string | undefined {
  const start = `<!-- ${name}:start -->\n`;
  const end = `<!-- ${name}:end -->`;
  const from = text.indexOf(start);
  const to = text.indexOf(end, from + start.length);
  if (from < 0 || to < 0) return undefined;
  return `${text.slice(0, from + start.length)}${content}${text.slice(to)}`;
}
