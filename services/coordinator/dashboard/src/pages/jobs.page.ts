/** Jobs list: live progress of the newest jobs (one SSE feed for the whole page). */
import { api, JobPage, JobView } from '../api';
import { h, replace } from '../dom';
import { clock, isTerminal } from '../format';
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
      h('div', { class: 'sub mono', text: job.id }),
      group,
    ),
    h('td', { class: 'mono', text: job.policy }),
    h('td', {}, badge(job.state)),
    h('td', {}, jobProgress(job)),
    h('td', { class: 'num' }, jobViolations(job)),
    h('td', { class: 'muted', text: clock(job.createdAt) }),
    h('td', {}, cancel),
  );
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
        ...['Job', 'Policy', 'State', 'Progress', 'Violations', 'Submitted', ''].map((t) =>
          h('th', { class: t === 'Violations' ? 'num' : '', text: t }),
        ),
      ),
    ),
    body,
  );
  replace(
    root,
    h('div', { class: 'row' }, h('h1', { text: 'Jobs' }), h('a', { href: '#/submit', text: '+ submit' })),
    status,
    h('div', { class: 'card' }, table, pager),
  );
  const showError = (e: unknown): void => void (status.textContent = e instanceof Error ? e.message : String(e));

  const render = (page: JobPage): void => {
    if (page.items.length === 0)
      replace(body, h('tr', {}, h('td', { colspan: 7, class: 'empty', text: 'No jobs yet. Submit one.' })));
    else replace(body, ...page.items.map((j) => row(j, showError)));
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
    source = new EventStreamClient(`api/live?offset=${offset}&limit=${PAGE}`);
    source.onmessage = (m) => {
      status.textContent = '';
      render((JSON.parse(m.data as string) as { jobs: JobPage }).jobs);
    };
    source.onerror = () => void (status.textContent = 'live updates interrupted; reconnecting…');
  };
  connect(0);
  return () => source?.close();
}
