import { Inject, Injectable, NotFoundException } from '@nestjs/common';
import {
  accessesTotalOf,
  parseScenarioText,
  SCENARIO_ENUMS,
  SCENARIO_FIELD_HINTS,
  SCENARIO_LIMITS,
  ScenarioFieldHint,
  ScenarioLimit,
  validateScenario,
} from '@tlbsim/contracts';
import type { SimConfig } from '@tlbsim/sim-core';
import { promises as fs } from 'fs';
import { join } from 'path';
import { COORDINATOR_OPTIONS, CoordinatorOptions } from '../coordinator.options';

/** A shipped scenario, as the submit form shows it. */
export interface ScenarioInfo {
  /** File name without `.yaml`: what `scenarioName` refers to. */
  id: string;
  file: string;
  /** The leading comment of the file. */
  description: string;
  /** The file as written. */
  raw: unknown;
  /** The file with every default filled in (null if the file does not validate). */
  resolved: SimConfig | null;
  /** Guest accesses a run of it can make (`accessesTotalOf`: what the size limits count); null if it does not validate. */
  accessesTotal: number | null;
}

/** Field metadata of the submit form, all from the scenario declaration (`SCENARIO_KEYS` of contracts). */
export interface ScenarioFields {
  limits: Readonly<Record<string, Readonly<ScenarioLimit>>>;
  enums: Readonly<Record<string, readonly string[]>>;
  /** Unit and meaning of every field. */
  hints: Readonly<Record<string, Readonly<ScenarioFieldHint>>>;
}

const NAME = /^[A-Za-z0-9][A-Za-z0-9._-]*$/;

/** The leading `#` comment block of a YAML file. */
function leadingComment(text: string): string {
  const lines: string[] = [];
  for (const line of text.split('\n')) {
    if (!line.startsWith('#')) break;
    lines.push(line.replace(/^#\s?/, ''));
  }
  return lines.join('\n').trim();
}

/** Reads the shipped scenarios (`scenarios/*.yaml`). */
@Injectable()
export class ScenariosService {
  /** Parsed files by name, valid while the file's mtime is unchanged (submissions by name stay cheap). */
  private readonly cache = new Map<string, { mtimeMs: number; info: ScenarioInfo }>();

  constructor(@Inject(COORDINATOR_OPTIONS) private readonly options: CoordinatorOptions) {}

  /** Every shipped scenario, by file name. */
  async list(): Promise<ScenarioInfo[]> {
    let files: string[];
    try {
      files = (await fs.readdir(this.options.scenariosDir))
        .filter((f) => f.endsWith('.yaml') || f.endsWith('.yml'))
        .sort();
    } catch {
      return [];
    }
    const items = await Promise.all(files.map((file) => this.read(file).catch(() => null)));
    return items.filter((i): i is ScenarioInfo => i !== null);
  }

  /** Limits, enums, units and meanings of every field, for the form. */
  fields(): ScenarioFields {
    return { limits: SCENARIO_LIMITS, enums: SCENARIO_ENUMS, hints: SCENARIO_FIELD_HINTS };
  }

  /**
   * The parsed (not validated) content of a shipped scenario.
   *
   * @throws NotFoundException for an unknown name
   */
  async load(name: string): Promise<unknown> {
    const file = NAME.test(name) ? (await this.fileNames()).find((f) => f.replace(/\.ya?ml$/, '') === name) : undefined;
    if (!file) throw new NotFoundException(`no shipped scenario named ${JSON.stringify(name)}`);
    return (await this.read(file)).raw;
  }

  private async fileNames(): Promise<string[]> {
    return (await fs.readdir(this.options.scenariosDir).catch(() => [] as string[])).filter((f) => /\.ya?ml$/.test(f));
  }

  private async read(file: string): Promise<ScenarioInfo> {
    const path = join(this.options.scenariosDir, file);
    const { mtimeMs } = await fs.stat(path);
    const hit = this.cache.get(file);
    if (hit && hit.mtimeMs === mtimeMs) return structuredClone(hit.info);
    const text = await fs.readFile(path, 'utf8');
    const raw = parseScenarioText(text, file);
    const checked = validateScenario(raw);
    const info: ScenarioInfo = {
      id: file.replace(/\.ya?ml$/, ''),
      file,
      description: leadingComment(text),
      raw,
      resolved: checked.ok ? checked.scenario : null,
      accessesTotal: checked.ok ? accessesTotalOf(checked.scenario) : null,
    };
    this.cache.set(file, { mtimeMs, info });
    return structuredClone(info);
  }
}
