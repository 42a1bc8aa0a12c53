import { parse as parseYaml } from 'yaml';
import { inputError } from './field-error.messages';
import { NESTING_DEPTH_MAX, yamlNestingPosition } from './nesting-depth.checker';
import { ScenarioInputError } from './scenario-input.error';

/** Syntax of a scenario text; `auto` picks JSON when the text starts with `{`. */
export type ScenarioFormat = 'yaml' | 'json' | 'auto';

/**
 * The format implied by a file name (`.json`, `.yaml`, `.yml`), else `auto`.
 *
 * @defaultValue `'auto'` for any other extension
 */
export function formatFromFileName(fileName: string): ScenarioFormat {
  const lower = fileName.toLowerCase();
  if (lower.endsWith('.json')) return 'json';
  if (lower.endsWith('.yaml') || lower.endsWith('.yml')) return 'yaml';
  return 'auto';
}

/** Longest source line quoted in a parse error. */
const QUOTED_LINE_MAX = 80;

/**
 * One line for a syntax error: the reason, where, and the offending line
 * itself (the YAML library ends its first line with "at line L, column C:"
 * and puts the code frame on the next lines).
 */
function syntaxMessage(error: unknown, text: string): string {
  const message = error instanceof Error ? error.message : String(error);
  const first = message.split('\n')[0];
  const pos = (error as { linePos?: { line: number; col: number }[] }).linePos?.[0];
  if (!pos) return first;
  const reason = first.replace(/ at line \d+, column \d+:?$/, '');
  const lines = text.split(/\r?\n/);
  if (lines.slice(pos.line - 1).every((l) => l.trim() === '')) {
    // The text ended inside something left open: show the last line there is, not an empty one.
    let last = Math.min(pos.line, lines.length) - 1;
    while (last > 0 && (lines[last] ?? '').trim() === '') last--;
    return `${reason} at the end of the text, after line ${last + 1}: ${quoteLine(lines[last] ?? '')}`;
  }
  return `${reason} at line ${pos.line}, column ${pos.col}: ${quoteLine(lines[pos.line - 1] ?? '')}`;
}

/** A source line as quoted in a parse error: JSON quoting shows tabs and trailing spaces; long lines are cut. */
function quoteLine(source: string): string {
  return JSON.stringify(source.length > QUOTED_LINE_MAX ? `${source.slice(0, QUOTED_LINE_MAX - 3)}...` : source);
}

/** Refuses a YAML text nested deeper than {@link NESTING_DEPTH_MAX}, before the (recursive) parser sees it. */
function refuseDeepYaml(text: string): void {
  const at = yamlNestingPosition(text);
  if (!at) return;
  const error = inputError(
    'maxDepth',
    undefined,
    `scenario: YAML nested deeper than ${NESTING_DEPTH_MAX} levels (at line ${at.line}, column ${at.column})`,
  );
  throw new ScenarioInputError([{ ...error, limit: NESTING_DEPTH_MAX }]);
}

/**
 * Parses the text of a scenario (YAML or JSON) into a plain value, without
 * validating it (see {@link validateScenario}). Pure: no I/O.
 *
 * @param formatHint - `yaml`, `json`, `auto` (default) or a file name to take the extension of
 * @throws ScenarioInputError (path `''`, constraint `parse`) on a syntax error or an empty text, constraint
 *   `maxDepth` for YAML nested deeper than {@link NESTING_DEPTH_MAX} (refused before it is parsed)
 */
export function parseScenarioText(text: string, formatHint: ScenarioFormat | string = 'auto'): unknown {
  const hint =
    formatHint === 'yaml' || formatHint === 'json' || formatHint === 'auto'
      ? formatHint
      : formatFromFileName(formatHint);
  const format = hint === 'auto' ? (text.trimStart().startsWith('{') ? 'json' : 'yaml') : hint;
  if (format === 'yaml') refuseDeepYaml(text);
  let value: unknown;
  try {
    value = format === 'json' ? JSON.parse(text) : parseYaml(text, { uniqueKeys: true, prettyErrors: true });
  } catch (error) {
    throw new ScenarioInputError([
      inputError('parse', undefined, `scenario: invalid ${format.toUpperCase()}: ${syntaxMessage(error, text)}`),
    ]);
  }
  if (value === undefined || value === null) {
    throw new ScenarioInputError([
      inputError('parse', value, 'scenario: the text is empty (expected a mapping with at least `name`)'),
    ]);
  }
  return value;
}
