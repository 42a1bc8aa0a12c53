/** The finished part of the job page: final counters and violation witnesses. */
import type { RunReport } from '../api';
import { h } from '../dom';
import { int, simTime } from '../format';
import { parseTraceLine } from '../trace-line.parser';

type Witness = RunReport['violations']['witnesses'][number];

function kv(pairs: [string, string][]): HTMLElement {
  return h('dl', { class: 'kv' }, ...pairs.flatMap(([k, v]) => [h('dt', { text: k }), h('dd', { text: v })]));
}

/** Final counters of a run, grouped. */
export function countersView(r: RunReport): HTMLElement {
  const m = r.metrics;
  const hv = m.hypercalls;
  const byClass = Object.entries(r.violations.byClass).map(([k, v]) => [k, int(v)] as [string, string]);
  return h('div', { class: 'card', 'data-testid': 'counters' },
    h('div', { class: 'counters' },
      kv([['violations', int(r.violations.total)], ...byClass]),
      kv([['accesses', int(m.accesses)], ['TLB hits', int(m.tlb.hits)], ['TLB misses', int(m.tlb.misses)], ['nested hits', int(m.tlb.nestedHits)], ['nested walks', int(m.nestedWalks)]]),
      kv([['GPA-space flushes', int(hv.flushGuestPhysicalAddressSpace)], ['GPA-list flushes', int(hv.flushGuestPhysicalAddressList)], ['list fallbacks', int(hv.listFallbacks)], ['shootdown messages', int(m.shootdownMessages)]]),
      kv([['cycles', int(m.cycles.total)], ['cycles / access', m.cycles.perAccess.toFixed(2)], ['windows', int(m.windows)], ['simulated time', simTime(m.simulatedNs)]]),
      kv([['roots allocated', int(m.roots.allocated)], ['roots freed', int(m.roots.freed)], ['root pages reused', int(m.roots.pageReused)], ['reused by other VM', int(m.roots.reusedByOtherVm)]])),
    h('div', { class: 'sub mono', text: `digest ${r.digest}` }));
}

/**
 * One step of a witness: the time stamp column (simulated seconds as the
 * kernel printed them, nanoseconds since the chain's first step as a
 * tooltip), the task, the event and the rest. A line in another format is
 * shown whole.
 */
function stepView(line: string, startNs: number | null): HTMLElement {
  const step = parseTraceLine(line);
  if (!step) return h('li', { class: 'mono' }, line);
  const since = startNs === null ? '' : ` (+${simTime(step.timeNs - startNs)} since the first step)`;
  return h('li', { class: 'mono', 'data-time-ns': String(step.timeNs) },
    h('span', { class: 'time', 'data-testid': 'witness-time', title: `${simTime(step.timeNs)}${since}`, text: step.time }),
    h('span', { class: 'task muted', text: step.task }),
    h('span', { class: 'event', text: step.event }),
    step.detail);
}

/** One witness as a collapsible timeline. */
function witnessView(w: Witness, i: number): HTMLElement {
  const summary = h('summary', {},
    h('span', { class: 'cls', text: w.class }),
    ` #${i + 1} · host ${w.host} · vm ${w.vm} · vcpu ${w.vcpu} · at ${simTime(w.timeNs)} · page `,
    h('span', { class: 'mono', text: w.pageHpa }));
  const startNs = w.lines.length > 0 ? (parseTraceLine(w.lines[0])?.timeNs ?? null) : null;
  const steps = w.lines.map((line) => stepView(line, startNs));
  return h('details', { class: 'witness', 'data-testid': 'witness' }, summary, h('ol', { class: 'timeline' }, ...steps));
}

/** The witnesses of a run (the first N violations with their causal chains). */
export function witnessesView(r: RunReport): HTMLElement {
  const ws = r.violations.witnesses;
  if (ws.length === 0) return h('p', { class: 'muted', text: r.violations.total > 0 ? 'No witnesses kept (run.witnessesMax = 0).' : 'No violations: no witnesses.' });
  const more = r.violations.total > ws.length ? h('p', { class: 'muted', text: `showing the first ${ws.length} of ${int(r.violations.total)} violations` }) : null;
  return h('div', { 'data-testid': 'witnesses' }, more, ...ws.map(witnessView));
}
