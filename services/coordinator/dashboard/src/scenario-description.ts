/** The description of a shipped scenario as the submit form shows it. */

/** A line that starts a command-line hint ("Try: --policy ...", "Run: tlbsim ..."). */
const HINT_START = /^\s*(Try|Run|Usage|Example|e\.g\.)\s*:/i;

/** A line that is only command-line text: flags or a `tlbsim` command. */
const CLI_ONLY = /^\s*(tlbsim\s|npx tlbsim\s|--[a-z])/;

/**
 * The scenario's leading comment without its command-line hints: a line
 * that starts "Try:" (or "Run:", "Usage:", "Example:") and the indented
 * lines that continue it, and lines that are only flags or a `tlbsim`
 * command. The form has no command line; its fields and the policy
 * picker do what those hints say.
 */
export function formDescription(text: string): string {
  const out: string[] = [];
  let inHint = false;
  for (const line of text.split('\n')) {
    if (HINT_START.test(line)) {
      inHint = true;
      continue;
    }
    if (inHint && /^\s+\S/.test(line)) continue;
    inHint = false;
    if (CLI_ONLY.test(line)) continue;
    out.push(line);
  }
  return out
    .join('\n')
    .replace(/\n{3,}/g, '\n\n')
    .trim();
}
