import type { ParamSensitivity } from '@tlbsim/engine';
import { fmtInt } from './format.util';

/** One line per unsourced cost parameter: the verdict holds over its range, or where it changes. */
export function formatSensitivity(verdict: string | null, params: readonly ParamSensitivity[]): string {
  const lines = [
    '',
    `Sensitivity of the verdict (${verdict ?? 'no policy'}) to the cost parameters with no public source (docs/costs.md):`,
    ...params.map((p) => {
      const range = `[${fmtInt(p.range[0])}, ${fmtInt(p.range[1])}]`;
      const head = `  ${p.parameter} (${fmtInt(p.value)}) over ${range}`;
      if (p.holds) return `${head}: verdict holds`;
      const flips = p.flips.map(
        (f) =>
          `${f.verdict ?? 'no policy'} ${f.toward === 'max' ? 'above' : 'below'} about ${fmtInt(f.breakEven)} (between ${fmtInt(f.between[0])} and ${fmtInt(f.between[1])})`,
      );
      return `${head}: the verdict changes: ${flips.join('; ')}`;
    }),
  ];
  return `${lines.join('\n')}\n`;
}
