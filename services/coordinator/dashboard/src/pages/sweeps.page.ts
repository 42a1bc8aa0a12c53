/** Sweeps: a form to start one (shipped scenario, grid, policies, seeds) and the newest sweeps. */
import { api, ApiError, ScenarioFields, ScenarioInfo, SweepView } from '../api';
import { h, replace } from '../dom';
import { clock } from '../format';
import { badge, bar } from '../widgets';

/** Non-empty trimmed lines of a textarea. */
function lines(text: string): string[] {
  return text
    .split('\n')
    .map((l) => l.trim())
    .filter(Boolean);
}

/** The shipped scenario with the least work (guest accesses a run makes), the form's default: a sweep multiplies it. */
export function smallestScenario(scenarios: readonly ScenarioInfo[]): string | undefined {
  const sized = scenarios.filter((s) => typeof s.accessesTotal === 'number');
  if (sized.length === 0) return scenarios[0]?.id;
  return sized.reduce((a, b) => (b.accessesTotal! < a.accessesTotal! ? b : a)).id;
}

/** One line of the form: its label in the first column, the control in the second (so the controls line up). */
function field(label: string, control: HTMLElement, hint?: string): HTMLElement[] {
  return [
    h('label', { class: 'form-label', text: label }),
    h('div', {}, control, hint ? h('div', { class: 'sub', text: hint }) : null),
  ];
}

/** The form; on success navigates to the new sweep's page. */
function form(scenarios: ScenarioInfo[], fields: ScenarioFields, errors: HTMLElement): HTMLElement {
  const smallest = smallestScenario(scenarios);
  const scenario = h(
    'select',
    { name: 'scenarioName', 'data-testid': 'sweep-scenario' },
    ...scenarios.map((s) => h('option', { value: s.id, text: s.id, selected: s.id === smallest })),
  );
  const grid = h('textarea', {
    name: 'grid',
    rows: 3,
    cols: 60,
    'data-testid': 'sweep-grid',
    placeholder: 'one per line: dotted.key=v1,v2,...',
  });
  const overrides = h('textarea', {
    name: 'overrides',
    rows: 2,
    cols: 60,
    'data-testid': 'sweep-overrides',
    placeholder: 'one per line: dotted.key=value',
  });
  const seeds = h('input', { type: 'number', name: 'seeds', value: '1', min: 1, 'data-testid': 'sweep-seeds' });
  const policies = (fields.enums['kvm.policy'] ?? []).map((p, i) =>
    h('input', { type: 'checkbox', name: 'policy', value: p, checked: i === 1 }),
  );
  const submit = async (e: Event): Promise<void> => {
    e.preventDefault();
    errors.textContent = '';
    const body = {
      scenarioName: scenario.value,
      grid: lines(grid.value),
      overrides: lines(overrides.value),
      seeds: Number(seeds.value),
      policies: policies.filter((p) => p.checked).map((p) => p.value),
    };
    try {
      const view = await api<SweepView>('POST', 'api/sweeps', body);
      location.hash = `#/sweeps/${view.id}`;
    } catch (err) {
      const details = err instanceof ApiError ? (err.body.details ?? []).map((d) => d.message) : [];
      replace(
        errors,
        ...(details.length ? details : [err instanceof Error ? err.message : String(err)]).map((m) =>
          h('div', { text: m }),
        ),
      );
    }
  };
  return h(
    'form',
    { class: 'aligned', onsubmit: (e) => void submit(e) },
    ...field('scenario', scenario, 'the smallest shipped scenario is the default: a sweep runs it once per point'),
    ...field('grid', grid),
    ...field('overrides', overrides),
    ...field('seeds per point', seeds),
    ...field(
      'policies',
      h('div', { class: 'row' }, ...policies.map((p) => h('label', {}, p, ` ${p.value}`))),
      'the first checked is the baseline',
    ),
    h('span'),
    h('div', {}, h('button', { type: 'submit', 'data-testid': 'sweep-submit', text: 'Start sweep' })),
  );
}

/** The newest sweeps as a table. */
function list(items: Omit<SweepView, 'rows'>[]): HTMLElement {
  return h(
    'table',
    { 'data-testid': 'sweeps' },
    h(
      'thead',
      {},
      h('tr', {}, ...['Sweep', 'Grid', 'Policies', 'State', 'Points', 'Submitted'].map((t) => h('th', { text: t }))),
    ),
    h(
      'tbody',
      {},
      ...(items.length === 0
        ? [h('tr', {}, h('td', { colspan: 6, class: 'empty', text: 'No sweeps yet.' }))]
        : items.map((s) =>
            h(
              'tr',
              { 'data-sweep': s.id },
              h(
                'td',
                {},
                h('a', { href: `#/sweeps/${s.id}`, text: s.name }),
                h('div', { class: 'sub mono', text: s.id }),
              ),
              h('td', { class: 'mono', text: s.gridKeys.join(' x ') || '–' }),
              h('td', { class: 'mono', text: s.policies.join(', ') }),
              h('td', {}, badge(s.state)),
              h(
                'td',
                {},
                bar(s.points === 0 ? 0 : s.pointsDone / s.points, s.state),
                h('div', { class: 'sub', text: `${s.pointsDone} / ${s.points}` }),
              ),
              h('td', { class: 'muted', text: clock(s.createdAt) }),
            ),
          )),
    ),
  );
}

/** Renders the sweeps page; returns the cleanup. */
export function sweepsPage(root: HTMLElement): () => void {
  const errors = h('div', { class: 'errors', 'data-testid': 'sweep-errors' });
  const top = h('div', { class: 'card' }, 'loading…');
  const bottom = h('div', { class: 'card' });
  replace(root, h('h1', { text: 'Sweeps' }), top, errors, bottom);
  let closed = false;
  let timer: ReturnType<typeof setTimeout> | null = null;
  const refresh = async (): Promise<void> => {
    try {
      const page = await api<{ items: Omit<SweepView, 'rows'>[] }>('GET', 'api/sweeps?limit=25');
      if (!closed) replace(bottom, list(page.items));
    } catch (e) {
      errors.textContent = e instanceof Error ? e.message : String(e);
    }
    if (!closed) timer = setTimeout(() => void refresh(), 2000);
  };
  void Promise.all([api<ScenarioInfo[]>('GET', 'api/scenarios'), api<ScenarioFields>('GET', 'api/scenarios/fields')])
    .then(([scenarios, fields]) => {
      if (!closed) replace(top, form(scenarios, fields, errors));
    })
    .catch((e: unknown) => void (errors.textContent = e instanceof Error ? e.message : String(e)));
  void refresh();
  return () => {
    closed = true;
    if (timer) clearTimeout(timer);
  };
}
