import { readFileSync } from 'fs';
import type { SimConfig } from '@tlbsim/sim-core';
import { buildScenario, FieldError, parseScenarioText, ScenarioInputError } from '@tlbsim/contracts';

/** Why a file could not be read, in words (`no such file`, `is a directory`, ...), for every command that reads one. */
export function readFailure(error: unknown): string {
  const code = (error as NodeJS.ErrnoException).code;
  if (code === 'ENOENT') return 'no such file';
  if (code === 'EISDIR') return 'is a directory';
  if (code === 'EACCES') return 'permission denied';
  return error instanceof Error ? error.message : String(error);
}

/**
 * Reads and parses a scenario file (YAML or JSON by extension, else by
 * content; `-` is standard input), without validating it.
 *
 * @throws ScenarioInputError (path `''`) if the file cannot be read or parsed
 */
export function readScenarioFile(file: string): unknown {
  let text: string;
  try {
    text = readFileSync(file === '-' ? 0 : file, 'utf8');
  } catch (error) {
    const problem: FieldError = {
      path: '',
      value: file,
      constraint: 'file',
      message: `${file}: ${readFailure(error)}`,
    };
    throw new ScenarioInputError([problem]);
  }
  try {
    return parseScenarioText(text, file === '-' ? 'auto' : file);
  } catch (error) {
    if (!(error instanceof ScenarioInputError)) throw error;
    throw new ScenarioInputError(
      error.errors.map((e) => ({ ...e, message: e.message.replace(/^scenario:/, `${file}:`) })),
    );
  }
}

/**
 * Load, override, validate: reads a scenario file, applies `overrides`
 * (`dotted.path=value`, in order) and returns the kernel's `SimConfig`.
 * The one entry point for `tlbsim run`, `compare` and `submit`.
 *
 * @throws ScenarioInputError listing every problem, each with its dotted path
 */
export function loadScenarioFile(file: string, overrides: readonly string[] = []): SimConfig {
  return buildScenario(readScenarioFile(file), overrides);
}

/**
 * The lines `tlbsim` prints on standard error for a rejected input.
 *
 * @param source - what was being loaded, e.g. the file name
 */
export function formatInputErrors(source: string, error: ScenarioInputError): string {
  const count = error.errors.length;
  const head = `tlbsim: invalid input ${source} (${count} error${count === 1 ? '' : 's'}):`;
  return [head, ...error.errors.map((e) => `  ${e.message}`)].join('\n') + '\n';
}
