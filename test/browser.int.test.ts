import type { Browser, BrowserContext, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { demoAccounts } from '../sandbox/sso/accounts.ts';
import { launchBrowser, login, screenshot } from './helpers/browser.ts';
import { startTestStack, type TestStack } from './helpers/stack.ts';

/** GraphiQL and the patient portal in a real browser (Debian's chromium), against the running stack. */
let stack: TestStack;
let browser: Browser;
let origin: string;
const password = (u: string) => demoAccounts.find((a) => a.username === u)!.password;

beforeAll(async () => {
  stack = await startTestStack();
  origin = stack.gatewayUrl.replace(/\/graphql$/, '');
  browser = await launchBrowser();
});
afterAll(async () => {
  await browser?.close();
  await stack?.stop();
});

/** A fresh browser profile whose page errors fail the test. */
async function newPage(viewport = { width: 1280, height: 800 }): Promise<{ context: BrowserContext; page: Page; problems: string[] }> {
  const context = await browser.newContext({ viewport });
  const page = await context.newPage();
  const problems: string[] = [];
  page.on('pageerror', (e) => problems.push(String(e)));
  page.on('console', (m) => {
    // The anonymous schema fetch before sign-in is refused (401) by design.
    if (m.type() === 'error' && !/status of 401/.test(m.text())) problems.push(m.text());
  });
  return { context, page, problems };
}

/** Text of an element, or '' while it is not there (a locator would wait for it). */
async function text(page: Page, selector: string): Promise<string> {
  return (await page.locator(selector).first().textContent({ timeout: 500 }).catch(() => '')) ?? '';
}

async function signInToGraphiQL(page: Page, username: string): Promise<void> {
  await page.goto(`${origin}/`);
  await page.getByRole('button', { name: 'Sign in' }).click();
  await login(page, username, password(username));
  await expect.poll(() => page.getByTestId('signed-in-as').textContent(), { timeout: 10_000 }).toContain('Signed in as');
}

async function runTab(page: Page, tab: string): Promise<string> {
  await page.getByRole('tab', { name: tab }).click();
  await page.getByRole('button', { name: /Execute query/ }).click();
  // CodeMirror renders only the visible lines: read the whole result from the editor itself.
  const read = () => page.evaluate(() => (document.querySelector('.graphiql-response .CodeMirror') as unknown as { CodeMirror?: { getValue(): string } } | null)?.CodeMirror?.getValue() ?? '');
  await expect.poll(read, { timeout: 10_000 }).toMatch(/"data"|"errors"/);
  return read();
}

describe('GraphiQL', () => {
  it('signs a practitioner on, runs a saved operation, and explores the schema', async () => {
    const { context, page, problems } = await newPage();
    await signInToGraphiQL(page, 'drchen');
    expect(await page.getByTestId('signed-in-as').textContent()).toContain('Practitioner/pr-chen-0417');
    // The code is gone from the address bar and no token was stored by the page.
    expect(page.url()).toBe(`${origin}/`);
    const stored = await page.evaluate(() => JSON.stringify({ ...localStorage }) + JSON.stringify({ ...sessionStorage }));
    expect(stored).not.toMatch(/eyJ[\w-]+\.eyJ/);

    const result = await runTab(page, 'PeopleWhoSharedWithMe');
    expect(result).toContain('"sharedWithMe"');

    await page.getByRole('button', { name: /Show Documentation Explorer/ }).click({ timeout: 5_000 });
    await expect.poll(() => text(page, '.graphiql-doc-explorer'), { timeout: 5_000 }).toContain('Query');
    await page.locator('.graphiql-doc-explorer').getByText('Query', { exact: true }).first().click({ timeout: 5_000 });
    await expect.poll(() => text(page, '.graphiql-doc-explorer'), { timeout: 5_000 }).toContain('sharedWithMe');
    await screenshot(page, 'graphiql-practitioner');

    // Autocompletion: typing in a new tab offers fields of the schema.
    await page.getByRole('button', { name: 'Add tab' }).click({ timeout: 5_000 });
    const editor = page.locator('.graphiql-query-editor .CodeMirror').first();
    await editor.click({ timeout: 5_000 });
    await page.keyboard.press('Control+A');
    await page.keyboard.press('Delete');
    await page.keyboard.type('{ shared');
    await expect.poll(() => text(page, '.CodeMirror-hints'), { timeout: 5_000 }).toContain('sharedWithMe');
    await screenshot(page, 'graphiql-autocomplete');

    await page.getByRole('button', { name: 'Sign out' }).click({ timeout: 5_000 });
    await page.getByRole('button', { name: 'Sign out' }).click({ timeout: 5_000 }); // the sign-on server's confirmation
    await expect.poll(() => page.getByRole('button', { name: 'Sign in' }).count(), { timeout: 10_000 }).toBe(1);
    expect(problems).toEqual([]);
    await context.close();
  });
});

describe('patient portal', () => {
  it('shows records from every hospital, grants, revokes, and the practitioner sees the change', async () => {
    const alice = await newPage();
    await alice.page.goto(`${origin}/portal`);
    await alice.page.getByRole('button', { name: 'Sign in' }).click();
    await login(alice.page, 'alice', password('alice'));
    const timeline = alice.page.getByTestId('timeline');
    await timeline.waitFor();
    expect(alice.page.url()).toBe(`${origin}/portal`);
    const hospitals = new Set(await timeline.locator('.hospital').allTextContents());
    expect(hospitals.size).toBeGreaterThanOrEqual(2);
    const values = await timeline.locator('.value').allTextContents();
    expect(values.some((v) => /\d+(\.\d+)? (mg\/dL|mm\[Hg\]|kg|\/min|%|Cel|g\/dL)/.test(v))).toBe(true);
    const dates = await timeline.locator('time').allTextContents();
    expect([...dates].sort().reverse()).toEqual(dates);
    await screenshot(alice.page, 'portal-timeline');

    // drchen, in GraphiQL, sees nobody yet.
    const chen = await newPage();
    await signInToGraphiQL(chen.page, 'drchen');
    expect(await runTab(chen.page, 'PeopleWhoSharedWithMe')).toMatch(/"sharedWithMe":\s*\[\]/);

    // Alice shares her results at Brightwater with Dr. Chen, with the keyboard-reachable form.
    await alice.page.getByLabel('Practitioner or organization').fill('Practitioner/pr-chen-0417');
    await alice.page.getByLabel('Demographics').check();
    await alice.page.getByLabel('Results and vital signs').check();
    await alice.page.getByLabel('Conditions').check();
    await alice.page.getByLabel('Brightwater University Medical Center').check();
    await alice.page.getByRole('button', { name: 'Share' }).click();
    await expect.poll(() => alice.page.getByTestId('consents').textContent()).toContain('Practitioner/pr-chen-0417');
    await alice.page.getByRole('heading', { name: 'Sharing' }).scrollIntoViewIfNeeded();
    await screenshot(alice.page, 'portal-shared');

    const shared = await runTab(chen.page, 'PeopleWhoSharedWithMe');
    expect(shared).toContain(demoAccounts.find((a) => a.username === 'alice')!.sub);
    expect(shared).toContain('Brightwater');
    await screenshot(chen.page, 'graphiql-shared-with-me');

    // She revokes; his next request shows nothing.
    await alice.page.getByRole('button', { name: /Revoke access for Practitioner\/pr-chen-0417/ }).click();
    await expect.poll(() => alice.page.locator('section[aria-labelledby="sharing-h"]').textContent()).toContain('You are not sharing records with anyone.');
    expect(await runTab(chen.page, 'PeopleWhoSharedWithMe')).toMatch(/"sharedWithMe":\s*\[\]/);

    // The access log shows Dr. Chen's look.
    await alice.page.reload();
    await alice.page.getByRole('button', { name: 'Sign in' }).click();
    await expect.poll(() => alice.page.getByTestId('access-log').textContent(), { timeout: 10_000 }).toContain('Practitioner/pr-chen-0417');
    await alice.page.getByRole('heading', { name: 'Who looked at my records' }).scrollIntoViewIfNeeded();
    await screenshot(alice.page, 'portal-access-log');
    expect([...alice.problems, ...chen.problems]).toEqual([]);
    await alice.context.close();
    await chen.context.close();
  });

  it('is usable on a phone-sized screen', async () => {
    const { context, page, problems } = await newPage({ width: 390, height: 844 });
    await page.goto(`${origin}/portal`);
    await page.getByRole('button', { name: 'Sign in' }).click();
    await login(page, 'bob', password('bob'));
    await page.getByTestId('timeline').waitFor();
    const width = await page.evaluate(() => document.documentElement.scrollWidth);
    expect(width).toBeLessThanOrEqual(390);
    await screenshot(page, 'portal-phone');
    expect(problems).toEqual([]);
    await context.close();
  });
});

describe('browser security', () => {
  it('sends a Content-Security-Policy and other security headers with every page', async () => {
    for (const path of ['/', '/portal', '/assets/portal.js']) {
      const res = await fetch(`${origin}${path}`, { headers: { accept: 'text/html' } });
      expect(res.status, path).toBe(200);
      expect(res.headers.get('content-security-policy'), path).toMatch(/default-src 'self'.*script-src 'self'.*frame-ancestors 'none'/);
      expect(res.headers.get('x-content-type-options')).toBe('nosniff');
      expect(res.headers.get('referrer-policy')).toBe('no-referrer');
      expect(res.headers.get('content-security-policy')).not.toContain("script-src 'self' 'unsafe-inline'");
    }
  });

  it('refuses cross-site requests that a browser would send without a preflight', async () => {
    const token = await stack.token('alice');
    const form = await fetch(stack.gatewayUrl, { method: 'POST', headers: { 'content-type': 'application/x-www-form-urlencoded', authorization: `Bearer ${token}` }, body: 'query={me{id}}' });
    expect(form.status).toBe(400);
    const text = await fetch(stack.gatewayUrl, { method: 'POST', headers: { 'content-type': 'text/plain', authorization: `Bearer ${token}` }, body: '{"query":"{me{id}}"}' });
    expect(text.status).toBe(400);
    const getMutation = await fetch(`${stack.gatewayUrl}?query=${encodeURIComponent('mutation { revokeConsent(id: "x") { id } }')}`, { headers: { authorization: `Bearer ${token}`, 'apollo-require-preflight': 'true' } });
    expect(getMutation.status).toBe(405);
  });
});
