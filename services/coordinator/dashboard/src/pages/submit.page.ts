/** Submit form: pick a shipped scenario, edit its fields, choose policies; errors shown next to fields. */
import { api, ApiError, FieldError, JobView, ScenarioFields, ScenarioInfo } from '../api';
import { h, replace } from '../dom';
import { formDescription } from '../scenario-description';

type Leaf = string | number | boolean;
const POLICY_PATH = 'kvm.policy';
/** Preselected: the bug tlbsim was born from, and a short run. */
const DEFAULT_SCENARIO = 'hyperv-svm-root-reuse';

/** One input for the leaf at `path`, with an error slot. */
function field(path: string, value: Leaf, meta: ScenarioFields): HTMLElement {
  const enumValues = meta.enums[path];
  const limit = meta.limits[path];
  let input: HTMLInputElement | HTMLSelectElement;
  if (enumValues) {
    input = h(
      'select',
      { name: path },
      ...enumValues.map((v) => h('option', { value: v, text: v, selected: v === value })),
    );
  } else if (typeof value === 'boolean') {
    input = h('input', { type: 'checkbox', name: path, checked: value });
  } else {
    input = h('input', {
      type: typeof value === 'number' ? 'number' : 'text',
      name: path,
      value: String(value),
      step: limit && !limit.integer ? 'any' : undefined,
    });
  }
  input.dataset.path = path;
  input.dataset.kind = typeof value;
  const about = meta.hints?.[path];
  const hint = limit ? `${limit.min} – ${limit.max}${about?.unit ? ` ${about.unit}` : ''}` : '';
  return h(
    'label',
    { class: 'field', 'data-field': path, title: about?.description },
    h('span', {}, path.split('.').pop() ?? path, hint ? h('span', { class: 'muted', text: ` (${hint})` }) : null),
    input,
    h('span', { class: 'field-error', 'data-error-for': path }),
  );
}

/** The fields of a resolved scenario, one section per group (kvm.policy is the policy picker instead). */
function sections(resolved: NonNullable<ScenarioInfo['resolved']>, meta: ScenarioFields): HTMLElement[] {
  const top = h(
    'div',
    { class: 'section' },
    h('h2', { text: 'scenario' }),
    h(
      'div',
      { class: 'fields' },
      field('name', resolved.name as string, meta),
      field('seed', resolved.seed as number, meta),
    ),
  );
  const groups = Object.entries(resolved).filter(([, v]) => typeof v === 'object' && v !== null) as [
    string,
    Record<string, Leaf>,
  ][];
  return [
    top,
    ...groups.map(([group, leaves]) => {
      const inputs = Object.entries(leaves)
        .filter(([k]) => `${group}.${k}` !== POLICY_PATH)
        .map(([k, v]) => field(`${group}.${k}`, v, meta));
      return inputs.length
        ? h('div', { class: 'section' }, h('h2', { text: group }), h('div', { class: 'fields' }, ...inputs))
        : h('div');
    }),
  ];
}

/** Reads the form back into a scenario object. */
function readScenario(form: HTMLFormElement): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  for (const el of Array.from(form.querySelectorAll<HTMLInputElement | HTMLSelectElement>('[data-path]'))) {
    const path = el.dataset.path as string;
    const kind = el.dataset.kind;
    const raw = el instanceof HTMLInputElement && el.type === 'checkbox' ? el.checked : el.value;
    const value = kind === 'number' && raw !== '' && !Number.isNaN(Number(raw)) ? Number(raw) : raw;
    const keys = path.split('.');
    let node = out;
    for (const k of keys.slice(0, -1)) node = (node[k] ??= {}) as Record<string, unknown>;
    node[keys[keys.length - 1]] = value;
  }
  return out;
}

/** Shows each error next to its field; the rest in `general`. */
function showErrors(form: HTMLFormElement, general: HTMLElement, details: FieldError[], fallback: string): void {
  for (const el of Array.from(form.querySelectorAll('.field-error'))) el.textContent = '';
  for (const el of Array.from(form.querySelectorAll('.field.invalid'))) el.classList.remove('invalid');
  const rest: string[] = [];
  for (const d of details) {
    const path = d.path === 'policy' || d.path === 'policies' ? POLICY_PATH : d.path;
    const slot = form.querySelector<HTMLElement>(`[data-error-for="${CSS.escape(path)}"]`);
    if (slot) {
      slot.textContent = slot.textContent ? `${slot.textContent}; ${d.message}` : d.message;
      slot.closest('.field')?.classList.add('invalid');
    } else rest.push(d.message);
  }
  replace(
    general,
    details.length === 0
      ? fallback
      : rest.length
        ? h('ul', {}, ...rest.map((m) => h('li', { text: m })))
        : 'Fix the fields marked in red.',
  );
  revealFirstError(form, general);
}

/**
 * Brings the first error on screen: the first field marked invalid (in the
 * form's order) is scrolled to the middle of the view and focused; without
 * one, the general error text is scrolled to.
 */
function revealFirstError(form: HTMLFormElement, general: HTMLElement): void {
  const field = form.querySelector<HTMLElement>('.field.invalid');
  if (!field) {
    if (general.textContent) general.scrollIntoView({ block: 'center' });
    return;
  }
  field.scrollIntoView({ block: 'center' });
  field.querySelector<HTMLElement>('input, select')?.focus({ preventScroll: true });
}

/**
 * The policy checkboxes. Each remembers when it was checked
 * (`data-order`): a compare keeps the order in which the policies were
 * chosen, the scenario's own policy first, so the first is the baseline.
 */
function policyPicker(meta: ScenarioFields, chosen: string): HTMLElement {
  let order = 0;
  const remember = (e: Event): void => {
    const box = e.target as HTMLInputElement;
    box.dataset.order = box.checked ? String(++order) : '';
  };
  const boxes = (meta.enums[POLICY_PATH] ?? []).map((p) =>
    h(
      'label',
      {},
      h('input', {
        type: 'checkbox',
        name: 'policy',
        value: p,
        checked: p === chosen,
        'data-order': p === chosen ? '0' : '',
        onchange: remember,
      }),
      ` ${p}`,
    ),
  );
  return h(
    'div',
    { class: 'section field', 'data-field': POLICY_PATH },
    h('h2', { text: 'policies (one: a job; several: a compare group, the first chosen is the baseline)' }),
    h('div', { class: 'policies' }, ...boxes),
    h('span', { class: 'field-error', 'data-error-for': POLICY_PATH }),
  );
}

async function submit(form: HTMLFormElement, general: HTMLElement): Promise<void> {
  const scenario = readScenario(form);
  const policies = Array.from(form.querySelectorAll<HTMLInputElement>('input[name=policy]:checked'))
    .sort((a, b) => Number(a.dataset.order || Infinity) - Number(b.dataset.order || Infinity))
    .map((i) => i.value);
  if (policies.length === 0)
    return showErrors(
      form,
      general,
      [{ path: POLICY_PATH, value: null, constraint: 'required', message: 'choose at least one policy' }],
      '',
    );
  try {
    if (policies.length === 1) {
      const job = await api<JobView>('POST', 'api/jobs', { scenario, policy: policies[0] });
      location.hash = `#/jobs/${job.id}`;
    } else {
      const group = await api<{ groupId: string }>('POST', 'api/compare', { scenario, policies });
      location.hash = `#/compare/${group.groupId}`;
    }
  } catch (e) {
    if (e instanceof ApiError) showErrors(form, general, e.body.details ?? [], `${e.status}: ${e.message}`);
    else replace(general, String(e));
  }
}

/** Renders the submit form; returns the cleanup. */
export function submitPage(root: HTMLElement): () => void {
  const general = h('div', { class: 'errors', 'data-testid': 'form-errors' });
  const form = h('form', { novalidate: true, 'data-testid': 'submit-form' });
  const picker = h('select', { name: 'scenario', 'data-testid': 'scenario-picker' });
  const about = h('pre', { class: 'muted', style: 'white-space:pre-wrap', 'data-testid': 'scenario-description' });
  replace(
    root,
    h('h1', { text: 'Submit a simulation' }),
    h('div', { class: 'card' }, h('label', {}, 'Shipped scenario ', picker), about),
    general,
    form,
  );
  let scenarios: ScenarioInfo[] = [];
  let meta: ScenarioFields = { limits: {}, enums: {} };
  const show = (): void => {
    const s = scenarios.find((x) => x.id === picker.value);
    if (!s?.resolved) return replace(form, h('p', { class: 'errors', text: 'this scenario does not validate' }));
    about.textContent = formDescription(s.description);
    const kvm = s.resolved.kvm as Record<string, string>;
    replace(
      form,
      ...sections(s.resolved, meta),
      policyPicker(meta, kvm.policy),
      h('button', { type: 'submit', 'data-testid': 'submit', text: 'Submit' }),
    );
    replace(general);
  };
  form.addEventListener('submit', (e) => {
    e.preventDefault();
    void submit(form, general);
  });
  picker.addEventListener('change', show);
  void Promise.all([api<ScenarioInfo[]>('GET', 'api/scenarios'), api<ScenarioFields>('GET', 'api/scenarios/fields')])
    .then(([list, fields]) => {
      scenarios = list;
      meta = fields;
      replace(
        picker,
        ...list.map((s) => h('option', { value: s.id, text: s.id, selected: s.id === DEFAULT_SCENARIO })),
      );
      show();
    })
    .catch((e: unknown) => replace(general, String(e)));
  return () => undefined;
}
