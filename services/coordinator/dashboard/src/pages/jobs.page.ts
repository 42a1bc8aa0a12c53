/** Jobs list: live progress of the newest jobs (one SSE feed for the whole page). */
import { api, JobPage, JobView } from '../api';
import { h, replace } from '../dom';
import { clock, duration, isTerminal, JOB_STATE_NAMES } from '../format';
import { badge, confirmCancel, jobProgress, jobViolations } from '../widgets';
import { EventStreamClient } from '../event-stream.client';

const PAGE = 25;

function row(job: JobView, onError: (e: unknown) => void): HTMLElement {
  const cancel = isTerminal(job.state)
    ? null
    : h('button', {
        class: 'danger',
        text: 'Cancel',
        onclick: () => {
          if (confirmCancel(job)) void api('DELETE', `api/jobs/${job.id}`).catch(onError);
        },
      });
  const group = job.groupId ? h('a', { href: `#/compare/${job.groupId}`, class: 'sub', text: 'compare group' }) : null;
  return h(
    'tr',
    { 'data-job': job.id },
    h(
      'td',
      {},
      h('a', { href: `#/jobs/${job.id}`, text: job.name }),
      job.overrides?.length
        ? h('div', { class: 'sub mono', 'data-testid': 'overrides', text: job.overrides.join(' ') })
        : null,
      h('div', { class: 'sub mono', text: job.id }),
      group,
    ),
    h('td', { class: 'mono', text: job.policy }),
    h('td', { class: 'num', 'data-testid': 'shards', text: String(job.shards) }),
    h('td', {}, badge(job.state)),
    h('td', {}, jobProgress(job)),
    h('td', { class: 'num' }, jobViolations(job)),
    h('td', { class: 'muted', text: clock(job.createdAt) }),
    h('td', { class: 'num', 'data-testid': 'duration', text: runTime(job) }),
    h('td', {}, cancel),
  );
}

/** How long the job ran (so far): from its first shard's start to its end, or to now; "–" before it started. */
function runTime(job: JobView): string {
  if (!job.startedAt) return '–';
  const end = job.finishedAt ? Date.parse(job.finishedAt) : Date.now();
  return duration((end - Date.parse(job.startedAt)) / 1000);
}

/** True when the job's name, id, policy or an override contains `text` (case-insensitive); every job for an empty text. */
function matches(job: JobView, text: string): boolean {
  const t = text.trim().toLowerCase();
  return t === '' || [job.name, job.id, job.policy, ...(job.overrides ?? [])].some((s) => s.toLowerCase().includes(t));
}

/** The filter bar: a state (the server filters) and a text (this page's rows). */
function filterBar(onState: (state: string) => void, onText: (text: string) => void): HTMLElement {
  const state = h(
    'select',
    { 'data-testid': 'state-filter', onchange: (e: Event) => onState((e.target as HTMLSelectElement).value) },
    h('option', { value: '', text: 'every state' }),
    ...JOB_STATE_NAMES.map((s) => h('option', { value: s, text: s })),
  );
  const text = h('input', {
    type: 'search',
    placeholder: 'filter: name, id, policy or override',
    'data-testid': 'text-filter',
    oninput: (e: Event) => onText((e.target as HTMLInputElement).value),
  });
  return h('div', { class: 'row filters' }, state, text);
}

/** Renders the jobs list into `root`; returns the cleanup. */
export function jobsPage(root: HTMLElement): () => void {
  let offset = 0;
  let source: EventStreamClient | null = null;
  const body = h('tbody');
  const status = h('div', { class: 'errors' });
  const pager = h('div', { class: 'pager' });
  const table = h(
    'table',
    { 'data-testid': 'jobs' },
    h(
      'thead',
      {},
      h(
        'tr',
        {},
        ...['Job', 'Policy', 'Shards', 'State', 'Progress', 'Violations', 'Submitted', 'Ran', ''].map((t) =>
          h('th', { class: ['Violations', 'Shards', 'Ran'].includes(t) ? 'num' : '', text: t }),
        ),
      ),
    ),
    body,
  );
  let stateFilter = '';
  let textFilter = '';
  let lastPage: JobPage | null = null;
  const filters = filterBar(
    (state) => {
      stateFilter = state;
      connect(0);
    },
    (text) => {
      textFilter = text;
      if (lastPage) render(lastPage);
    },
  );
  replace(
    root,
    h('div', { class: 'row' }, h('h1', { text: 'Jobs' }), h('a', { href: '#/submit', text: '+ submit' })),
    status,
    h('div', { class: 'card' }, filters, table, pager),
  );
  const showError = (e: unknown): void => void (status.textContent = e instanceof Error ? e.message : String(e));

  const render = (page: JobPage): void => {
    lastPage = page;
    const shown = page.items.filter((j) => matches(j, textFilter));
    const none = page.items.length === 0 && !stateFilter ? 'No jobs yet. Submit one.' : 'No job matches the filter.';
    if (shown.length === 0) replace(body, h('tr', {}, h('td', { colspan: 9, class: 'empty', text: none })));
    else replace(body, ...shown.map((j) => row(j, showError)));
    const last = Math.min(page.total, page.offset + page.items.length);
    replace(
      pager,
      h('button', {
        class: 'secondary',
        text: '‹ newer',
        disabled: offset === 0,
        onclick: () => connect(Math.max(0, offset - PAGE)),
      }),
      h('span', { class: 'muted', text: `${page.total === 0 ? 0 : page.offset + 1}–${last} of ${page.total}` }),
      h('button', {
        class: 'secondary',
        text: 'older ›',
        disabled: last >= page.total,
        onclick: () => connect(offset + PAGE),
      }),
    );
  };

  const connect = (at: number): void => {
    offset = at;
    source?.close();
    const state = stateFilter ? `&state=${encodeURIComponent(stateFilter)}` : '';
    source = new EventStreamClient(`api/live?offset=${offset}&limit=${PAGE}${state}`);
    source.onmessage = (m) => {
      status.textContent = '';
      render((JSON.parse(m.data as string) as { jobs: JobPage }).jobs);
    };
    source.onerror = () => void (status.textContent = 'live updates interrupted; reconnecting…');
  };
  connect(0);
  return () => source?.close();
}
