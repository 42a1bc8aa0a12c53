import { parse as parseYaml } from 'yaml';
import { inputError } from './field-error.messages';
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

/** First line of an error message (the YAML library adds a code frame). */
function firstLine(error: unknown): string {
  const text = error instanceof Error ? error.message : String(error);
  return text.split('\n')[0];
}

/**
 * Parses the text of a scenario (YAML or JSON) into a plain value, without
 * validating it (see {@link validateScenario}). Pure: no I/O.
 *
 * @param formatHint - `yaml`, `json`, `auto` (default) or a file name to take the extension of
 * @throws ScenarioInputError (path `''`, constraint `parse`) on a syntax error or an empty text
 */
export function parseScenarioText(text: string, formatHint: ScenarioFormat | string = 'auto'): unknown {
  const hint = formatHint === 'yaml' || formatHint === 'json' || formatHint === 'auto' ? formatHint : formatFromFileName(formatHint);
  const format = hint === 'auto' ? (text.trimStart().startsWith('{') ? 'json' : 'yaml') : hint;
  let value: unknown;
  try {
    value = format === 'json' ? JSON.parse(text) : parseYaml(text, { uniqueKeys: true, prettyErrors: true });
  } catch (error) {
    throw new ScenarioInputError([inputError('parse', undefined, `scenario: invalid ${format.toUpperCase()}: ${firstLine(error)}`)]);
  }
  if (value === undefined || value === null) {
    throw new ScenarioInputError([inputError('parse', value, 'scenario: the text is empty (expected a mapping with at least `name`)')]);
  }
  return value;
}
