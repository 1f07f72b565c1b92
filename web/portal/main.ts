import { completeSignIn, graphql, pageConfig, signIn, signOut, type PageConfig, type Session } from '../auth.ts';
import './portal.css';

/**
 * The patient portal: a person's records from every hospital on one timeline, the
 * consents they give and revoke, and who looked. Everything goes through the public
 * GraphQL API with the in-memory token.
 */
const config: PageConfig = pageConfig();
const app = document.getElementById('app') as HTMLElement;

const CHARTS = `{ me { charts { hospital { id name }
  observations(first: 12) { id code { text } effectiveDateTime valueQuantity { value unit } }
  conditions { id code { text } recordedDate onsetDateTime clinicalStatus { coding { code } } } } } }`;
const CONSENTS = `{ me { consents { id status scope dateTime provision { actor { reference } class period { start end } hospitals { id name } } } } }`;
const LOG = `{ me { accessLog(first: 30) { id recorded outcome outcomeDesc purposeOfEvent { text } agent { who { reference } } entity { hospital { name } resourceTypes } } } }`;
const GRANT = `mutation($input: ConsentInput!) { grantConsent(input: $input) { id } }`;
const REVOKE = `mutation($id: ID!) { revokeConsent(id: $id) { id status } }`;

interface Chart {
  hospital: { id: string; name: string };
  observations: { id: string; code: { text: string | null }; effectiveDateTime: string | null; valueQuantity: { value: number; unit: string } | null }[] | null;
  conditions: { id: string; code: { text: string | null } | null; recordedDate: string | null; onsetDateTime: string | null; clinicalStatus: { coding: { code: string }[] } | null }[] | null;
}
interface Consent {
  id: string; status: string; scope: string; dateTime: string;
  provision: { actor: { reference: string }[]; class: string[]; period: { start: string | null; end: string | null } | null; hospitals: { id: string; name: string }[] };
}
interface AuditEvent {
  id: string; recorded: string; outcome: string; outcomeDesc: string | null; purposeOfEvent: { text: string }[];
  agent: { who: { reference: string } }[]; entity: { hospital: { name: string } | null; resourceTypes: string[] }[];
}

/** Builds an element; text is always set as text, never parsed as HTML. */
function h<K extends keyof HTMLElementTagNameMap>(tag: K, attrs: Record<string, string> = {}, ...children: (Node | string | null | undefined)[]): HTMLElementTagNameMap[K] {
  const el = document.createElement(tag);
  for (const [k, v] of Object.entries(attrs)) el.setAttribute(k, v);
  for (const c of children) if (c !== null && c !== undefined) el.append(c);
  return el;
}

const present = (...nodes: (Node | null | undefined)[]): Node[] => nodes.filter((n): n is Node => n != null);
const day = (iso: string | null | undefined) => (iso ? iso.slice(0, 10) : '');
let hospitals: { id: string; name: string }[] = [];

function renderSignedOut(message?: string): void {
  const button = h('button', { type: 'button' }, 'Sign in');
  button.addEventListener('click', () => void signIn(config, 'openid fhirUser patient/*.rs'));
  app.replaceChildren(...present(
    h('h1', {}, 'Your health records'),
    h('p', {}, 'One sign-in for your records at every hospital, and you decide who may read them.'),
    message ? h('p', { role: 'alert', class: 'error' }, message) : null,
    button,
  ));
}

async function renderSignedIn(session: Session): Promise<void> {
  const out = h('button', { type: 'button', class: 'secondary' }, 'Sign out');
  out.addEventListener('click', () => void signOut(config));
  const timeline = h('section', { 'aria-labelledby': 'timeline-h' }, h('h2', { id: 'timeline-h' }, 'Timeline'), h('p', {}, 'Loading…'));
  const sharing = h('section', { 'aria-labelledby': 'sharing-h' }, h('h2', { id: 'sharing-h' }, 'Sharing'));
  const log = h('section', { 'aria-labelledby': 'log-h' }, h('h2', { id: 'log-h' }, 'Who looked at my records'));
  app.replaceChildren(
    h('header', { class: 'top' }, h('h1', {}, 'Your health records'), h('span', { class: 'who', 'data-testid': 'signed-in-as' }, `Signed in as ${session.who}`), out),
    timeline, sharing, log,
  );
  // The sharing form offers the hospitals the timeline found; the log comes last, with this visit in it.
  await loadTimeline(timeline);
  await loadSharing(sharing);
  await loadLog(log);
}

async function loadTimeline(section: HTMLElement): Promise<void> {
  const res = await graphql<{ me: { charts: Chart[] } }>(config, CHARTS);
  const charts = res.data?.me?.charts ?? [];
  hospitals = charts.map((c) => c.hospital);
  const entries = charts.flatMap((c) => [
    ...(c.observations ?? []).map((o) => ({ date: o.effectiveDateTime ?? '', hospital: c.hospital.name, kind: 'Result', text: o.code.text ?? 'Observation', value: o.valueQuantity ? `${o.valueQuantity.value} ${o.valueQuantity.unit}` : '' })),
    ...(c.conditions ?? []).map((x) => ({ date: x.recordedDate ?? x.onsetDateTime ?? '', hospital: c.hospital.name, kind: 'Condition', text: x.code?.text ?? 'Condition', value: x.clinicalStatus?.coding[0]?.code ?? '' })),
  ]).sort((a, b) => b.date.localeCompare(a.date));
  const list = h('ol', { class: 'timeline', 'data-testid': 'timeline' });
  for (const e of entries) {
    list.append(h('li', {}, h('time', { datetime: e.date }, day(e.date)), h('span', { class: 'hospital' }, e.hospital), h('span', { class: 'kind' }, e.kind), h('span', { class: 'text' }, e.text), h('span', { class: 'value' }, e.value)));
  }
  section.replaceChildren(...present(section.firstChild, res.errors?.length ? h('p', { role: 'alert', class: 'error' }, 'Some records could not be loaded.') : null, entries.length ? list : h('p', {}, 'No records yet.')));
}

function checkboxes(name: string, legend: string, options: { value: string; label: string }[]): HTMLFieldSetElement {
  return h('fieldset', {}, h('legend', {}, legend), ...options.map((o) => h('label', {}, h('input', { type: 'checkbox', name, value: o.value }), ` ${o.label}`)));
}

async function loadSharing(section: HTMLElement): Promise<void> {
  const res = await graphql<{ me: { consents: Consent[] } }>(config, CONSENTS);
  const consents = (res.data?.me?.consents ?? []).filter((c) => c.status === 'ACTIVE');
  const list = h('ul', { class: 'consents', 'data-testid': 'consents' });
  for (const c of consents) {
    const revoke = h('button', { type: 'button', class: 'secondary' }, 'Revoke');
    revoke.setAttribute('aria-label', `Revoke access for ${c.provision.actor[0]?.reference ?? 'research'}`);
    revoke.addEventListener('click', async () => {
      revoke.setAttribute('disabled', '');
      await graphql(config, REVOKE, { id: c.id });
      await Promise.all([loadSharing(section), loadLog(document.querySelector('section[aria-labelledby="log-h"]') as HTMLElement)]);
    });
    const period = c.provision.period ? ` · ${c.provision.period.start ?? '…'} to ${c.provision.period.end ?? '…'}` : '';
    list.append(h('li', {}, h('span', {}, `${c.provision.actor[0]?.reference ?? 'Research'}: ${c.provision.class.join(', ')} at ${c.provision.hospitals.map((x) => x.name).join(', ')}${period}`), revoke));
  }
  const form = h('form', { class: 'grant', 'aria-labelledby': 'grant-h' },
    h('h3', { id: 'grant-h' }, 'Share records'),
    h('label', { for: 'actor' }, 'Practitioner or organization'),
    h('input', { id: 'actor', name: 'actor', required: '', placeholder: 'Practitioner/… or Organization/…', list: 'actors', autocomplete: 'off' }),
    h('datalist', { id: 'actors' }, ...['Practitioner/pr-chen-0417', 'Practitioner/pr-lin-2291', 'Organization/org-brightwater-cardiology', 'Organization/org-cedarvale-family-medicine'].map((v) => h('option', { value: v }))),
    checkboxes('type', 'Kinds of records', [{ value: 'Patient', label: 'Demographics' }, { value: 'Observation', label: 'Results and vital signs' }, { value: 'Condition', label: 'Conditions' }]),
    checkboxes('hospital', 'Hospitals', hospitals.map((x) => ({ value: x.id, label: x.name }))),
    h('div', { class: 'period' },
      h('label', {}, 'From ', h('input', { type: 'date', name: 'periodStart' })),
      h('label', {}, 'Until ', h('input', { type: 'date', name: 'periodEnd' }))),
    h('p', { class: 'error', role: 'alert', id: 'grant-error' }),
    h('button', { type: 'submit' }, 'Share'),
  );
  form.addEventListener('submit', async (ev) => {
    ev.preventDefault();
    const data = new FormData(form);
    const input = {
      actor: String(data.get('actor') ?? '').trim(),
      resourceTypes: data.getAll('type').map(String),
      hospitals: data.getAll('hospital').map(String),
      periodStart: String(data.get('periodStart') ?? '') || null,
      periodEnd: String(data.get('periodEnd') ?? '') || null,
    };
    const result = await graphql(config, GRANT, { input });
    if (result.errors?.length) {
      (form.querySelector('#grant-error') as HTMLElement).textContent = result.errors[0]!.message;
      return;
    }
    await loadSharing(section);
  });
  section.replaceChildren(section.firstChild as Node, consents.length ? list : h('p', {}, 'You are not sharing records with anyone.'), form);
}

async function loadLog(section: HTMLElement): Promise<void> {
  const res = await graphql<{ me: { accessLog: AuditEvent[] } }>(config, LOG);
  const rows = (res.data?.me?.accessLog ?? []).map((e) =>
    h('tr', {}, h('td', {}, e.recorded.replace('T', ' ').slice(0, 16)), h('td', {}, e.agent[0]?.who.reference ?? ''), h('td', {}, e.entity[0]?.hospital?.name ?? ''),
      h('td', {}, e.entity[0]?.resourceTypes.join(', ') ?? ''), h('td', {}, e.outcome === '0' ? 'shown' : `refused: ${e.outcomeDesc ?? ''}`)));
  const table = h('table', { 'data-testid': 'access-log' },
    h('thead', {}, h('tr', {}, ...['When', 'Who', 'Hospital', 'Records', 'Outcome'].map((t) => h('th', { scope: 'col' }, t)))), h('tbody', {}, ...rows));
  section.replaceChildren(section.firstChild as Node, h('div', { class: 'scroll' }, table));
}

completeSignIn(config).then(
  (session) => (session ? renderSignedIn(session) : renderSignedOut()),
  (err: Error) => renderSignedOut(err.message),
);
