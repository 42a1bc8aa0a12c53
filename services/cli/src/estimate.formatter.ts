import type { Estimate } from '@tlbsim/engine';
import { fmtFixed } from './format.util';

/** ` ± 0.12`, or nothing for an estimate without an interval (one replication). */
function plusMinus(e: Estimate, digits: number): string {
  return e.ci95 === null ? '' : ` ± ${fmtFixed(e.ci95, digits)}`;
}

/** `13.61 ± 0.12`: an estimate's mean and the half-width of its 95% interval. */
export function fmtEstimate(e: Estimate, digits = 2): string {
  return `${fmtFixed(e.mean, digits)}${plusMinus(e, digits)}`;
}

/** `-12.1% ± 1.3`: a signed overhead in percent and its 95% half-width in percentage points. */
export function fmtPercentEstimate(e: Estimate, digits = 1): string {
  return `${e.mean >= 0 ? '+' : ''}${fmtFixed(e.mean, digits)}%${plusMinus(e, digits)}`;
}
