/** The tlbsim dashboard: hash routes over the coordinator's API. */
import { setToken, token } from './api';
import { comparePage } from './pages/compare.page';
import { jobPage } from './pages/job.page';
import { jobsPage } from './pages/jobs.page';
import { submitPage } from './pages/submit.page';
import { sweepPage } from './pages/sweep.page';
import { sweepsPage } from './pages/sweeps.page';
import { workersPage } from './pages/workers.page';

type Page = (root: HTMLElement, param: string) => () => void;

const ROUTES: [RegExp, string, Page][] = [
  [/^#\/jobs\/([^/]+)$/, 'jobs', (root, id) => jobPage(root, decodeURIComponent(id))],
  [/^#\/compare\/([^/]+)$/, 'jobs', (root, id) => comparePage(root, decodeURIComponent(id))],
  [/^#\/sweeps\/([^/]+)$/, 'sweeps', (root, id) => sweepPage(root, decodeURIComponent(id))],
  [/^#\/sweeps$/, 'sweeps', (root) => sweepsPage(root)],
  [/^#\/submit$/, 'submit', (root) => submitPage(root)],
  [/^#\/workers$/, 'workers', (root) => workersPage(root)],
  [/^(#\/?)?$/, 'jobs', (root) => jobsPage(root)],
];

let cleanup: () => void = () => undefined;

function route(): void {
  cleanup();
  const root = document.getElementById('app') as HTMLElement;
  const hash = location.hash;
  const match = ROUTES.find(([re]) => re.test(hash)) ?? ROUTES[ROUTES.length - 1];
  const [re, nav, page] = match;
  for (const a of Array.from(document.querySelectorAll<HTMLElement>('[data-nav]')))
    a.classList.toggle('active', a.dataset.nav === nav);
  cleanup = page(root, re.exec(hash)?.[1] ?? '');
}

function setupToken(): void {
  const input = document.getElementById('token') as HTMLInputElement | null;
  if (!input) return;
  input.value = token();
  input.addEventListener('change', () => setToken(input.value.trim()));
}

setupToken();
window.addEventListener('hashchange', route);
route();
