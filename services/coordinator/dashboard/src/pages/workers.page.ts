/** Workers page: live workers, capacity, current shards. */
import type { WorkerInfo } from '../api';
import { h, replace } from '../dom';
import { clock } from '../format';
import { bar } from '../widgets';
import { EventStreamClient } from '../event-stream.client';

function row(w: WorkerInfo): HTMLElement {
  const shards = w.shards.map((s) =>
    h(
      'div',
      {},
      h('a', { href: `#/jobs/${s.jobId}`, class: 'mono', text: `${s.jobId.slice(0, 12)}…` }),
      ` shard ${s.shard}`,
    ),
  );
  return h(
    'tr',
    {},
    h('td', { class: 'mono', text: w.id }),
    h('td', { text: `${w.host} (pid ${w.pid})` }),
    h(
      'td',
      {},
      bar(w.capacity > 0 ? w.busy / w.capacity : 0, 'running', 'worker-load'),
      h('div', { class: 'sub', text: `${w.busy} / ${w.capacity} slots busy` }),
    ),
    h('td', {}, shards.length ? shards : h('span', { class: 'muted', text: 'idle' })),
    h('td', { class: 'muted', text: clock(w.startedAt) }),
    h('td', { class: 'muted', text: clock(w.lastHeartbeatAt) }),
  );
}

/** Renders the workers page; returns the cleanup. */
export function workersPage(root: HTMLElement): () => void {
  const body = h('tbody');
  const summary = h('div', { class: 'muted' });
  replace(
    root,
    h('h1', { text: 'Workers' }),
    summary,
    h(
      'div',
      { class: 'card' },
      h(
        'table',
        { 'data-testid': 'workers' },
        h(
          'thead',
          {},
          h(
            'tr',
            {},
            ...['Worker', 'Host', 'Load', 'Current shards', 'Started', 'Heartbeat'].map((t) => h('th', { text: t })),
          ),
        ),
        body,
      ),
    ),
  );
  const source = new EventStreamClient('api/live?limit=1');
  source.onmessage = (m) => {
    const { workers } = JSON.parse(m.data as string) as { workers: WorkerInfo[] };
    const capacity = workers.reduce((n, w) => n + w.capacity, 0);
    const busy = workers.reduce((n, w) => n + w.busy, 0);
    summary.textContent = `${workers.length} live worker${workers.length === 1 ? '' : 's'} · ${busy} / ${capacity} shard slots busy`;
    if (workers.length === 0)
      replace(
        body,
        h(
          'tr',
          {},
          h('td', { colspan: 6, class: 'empty', text: 'No live workers. Start one with: tlbsim worker --redis <url>' }),
        ),
      );
    else replace(body, ...workers.map(row));
  };
  return () => source.close();
}
