// Browser tests of the web catalogue against a running server (see run.sh): search, facet,
// open a repo, read a finding and follow its evidence link, compare, keyboard-only navigation,
// and axe-core accessibility checks (wcag2a, wcag2aa, wcag21aa, wcag22aa) with zero serious or
// critical violations. Screenshots go to artifacts/.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { chromium } from 'playwright-core';

const require = createRequire(import.meta.url);
const BASE = process.env.BASE;
const TOKEN = process.env.TOKEN;
const NS = process.env.NS;
const AXE = readFileSync(require.resolve('axe-core/axe.min.js'), 'utf8');
const SHOTS = new URL('./artifacts/', import.meta.url).pathname;

let browser;
let page;

async function api(method, path, body, type = 'application/json') {
  const res = await fetch(BASE + path, {
    method,
    headers: { authorization: `Bearer ${TOKEN}`, 'content-type': type },
    body,
  });
  if (!res.ok && res.status !== 202) throw new Error(`${method} ${path}: ${res.status} ${await res.text()}`);
  return res;
}

/** A tiny valid safetensors file: one 2x2 F32 tensor. */
function safetensors() {
  let header = JSON.stringify({ weight: { dtype: 'F32', shape: [2, 2], data_offsets: [0, 16] } });
  while (header.length % 8) header += ' ';
  const out = Buffer.alloc(8 + header.length + 16);
  out.writeBigUInt64LE(BigInt(header.length), 0);
  out.write(header, 8);
  [0.5, -0.25, 1, 0].forEach((v, i) => out.writeFloatLE(v, 8 + header.length + i * 4));
  return out;
}

async function publish(kind, name, files, isPrivate = false) {
  await api('POST', '/api/repos/create', JSON.stringify({ name: `${NS}/${name}`, type: kind, private: isPrivate }));
  const lines = [{ key: 'header', value: { summary: 'Add release', description: '' } }];
  for (const [path, content] of Object.entries(files)) {
    lines.push({ key: 'file', value: { path, content: Buffer.from(content).toString('base64'), encoding: 'base64' } });
  }
  const plural = kind === 'dataset' ? 'datasets' : 'models';
  await api('POST', `/api/${plural}/${NS}/${name}/commit/main`, lines.map((l) => JSON.stringify(l)).join('\n') + '\n', 'application/x-ndjson');
  for (let i = 0; i < 200; i++) {
    const res = await api('GET', `/api/${plural}/${NS}/${name}/openness`);
    if (res.status === 200) return;
    await new Promise((r) => setTimeout(r, 100));
  }
  throw new Error(`${name} was not assessed in time`);
}

async function axeCheck(path) {
  await page.goto(BASE + path);
  // The pages allow no script (Content-Security-Policy), so axe cannot come in a <script> tag;
  // the test's own evaluation is not the page's and runs.
  await page.evaluate(AXE);
  const result = await page.evaluate(() =>
    window.axe.run(document, { runOnly: { type: 'tag', values: ['wcag2a', 'wcag2aa', 'wcag21aa', 'wcag22aa'] } }),
  );
  const bad = result.violations.filter((v) => v.impact === 'serious' || v.impact === 'critical');
  assert.deepEqual(
    bad.map((v) => `${v.id}: ${v.help} (${v.nodes.map((n) => n.target.join(' ')).join(', ')})`),
    [],
    `axe violations on ${path}`,
  );
}

before(async () => {
  const weights = safetensors();
  const apache = 'Apache License\nVersion 2.0, January 2004\nhttp://www.apache.org/licenses/\n';
  await publish('dataset', 'reviews', {
    'README.md': '---\nlicense: cc-by-4.0\nlanguage: en\n---\n# Reviews\n\nShort product reviews with a sentiment label.\n',
    'train.csv': 'text,label\ngood,1\nbad,0\n',
  });
  await publish('model', 'open-classifier', {
    'README.md': `---\nlicense: apache-2.0\nlanguage: en\npipeline_tag: text-classification\ndatasets:\n- ${NS}/reviews\nfunding:\n- funder: European Commission\n  grant_id: "101070000"\n---\n# Open classifier\n\nAn open source sentiment classifier.\n\n<script>window.pwned = true</script>\n\n[click](javascript:window.pwned=true)\n`,
    LICENSE: apache,
    'config.json': '{"model_type": "bert"}',
    'model.safetensors': weights,
  });
  await publish('model', 'llama-tune', {
    'README.md': '---\nlicense: llama3\npipeline_tag: text-generation\n---\n# Llama tune\n\nA classifier fine-tuned under the Llama 3 licence.\n',
    'config.json': '{"model_type": "llama"}',
    'model.safetensors': weights,
  });
  await api('POST', `/api/models/${NS}/llama-tune/disputes`, JSON.stringify({
    target: 'tier', reason: 'Our fine-tune data is our own; we dispute the inherited restriction.',
  }));
  await publish('model', 'hidden-model', { 'README.md': '# Hidden classifier\n' }, true);
  browser = await chromium.launch({
    executablePath: '/usr/bin/chromium',
    args: ['--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run', '--disable-background-networking',
      '--disable-component-update', '--disable-sync'],
  });
  page = await browser.newPage();
});

after(async () => {
  await browser?.close();
});

test('search, then narrow by a facet', async () => {
  await page.goto(`${BASE}/search?q=classifier`);
  const results = page.locator('ul.results h3 a');
  const names = await results.allTextContents();
  assert.ok(names.includes(`${NS}/open-classifier`), names.join());
  assert.ok(!names.includes(`${NS}/hidden-model`), 'private repo listed to the public');
  await page.getByRole('link', { name: /apache-2\.0/ }).first().click();
  assert.match(page.url(), /license=apache-2\.0/);
  assert.deepEqual(await results.allTextContents(), [`${NS}/open-classifier`]);
  assert.ok((await page.locator('ul.results .badge').count()) >= 1, 'tier badge on every result');
  await page.screenshot({ path: `${SHOTS}search-facet.png`, fullPage: true });
});

test('datasets: licence and data-card completeness instead of a tier, as a facet too', async () => {
  await page.goto(`${BASE}/search?kind=dataset`);
  await page.getByRole('link', { name: /minimal/ }).first().click();
  assert.match(page.url(), /datacard=minimal/);
  const results = page.locator('ul.results h3 a');
  assert.deepEqual(await results.allTextContents(), [`${NS}/reviews`]);
  const row = await page.locator('ul.results li').first().innerText();
  assert.match(row, /Licence: cc-by-4\.0/);
  assert.match(row, /Data card: minimal/);
  await page.goto(`${BASE}/datasets/${NS}/reviews`);
  assert.match(await page.locator('main').innerText(), /data card minimal: missing/);
  await page.screenshot({ path: `${SHOTS}dataset-card.png`, fullPage: true });
});

test('open a repo, read a finding or licence and follow its evidence to the line', async () => {
  await page.goto(`${BASE}/search?q=open+classifier`);
  await page.getByRole('link', { name: `${NS}/open-classifier` }).click();
  assert.match(await page.locator('h1').first().innerText(), /open-classifier/);
  assert.equal(await page.evaluate(() => window.pwned), undefined, 'card script ran');
  const panel = page.locator('section[aria-labelledby="openness-h"]');
  assert.match(await panel.innerText(), /Tier/);
  const evidence = panel.locator('a[href*="/blob/"][href*="#L"]').first();
  const href = await evidence.getAttribute('href');
  await page.screenshot({ path: `${SHOTS}repo.png`, fullPage: true });
  await evidence.click();
  await page.waitForURL((u) => u.hash.startsWith('#L'));
  const target = decodeURIComponent(new URL(page.url()).hash.slice(1));
  assert.equal(await page.locator(`[id="${target}"]`).count(), 1, `no line ${target} for ${href}`);
  await page.screenshot({ path: `${SHOTS}evidence.png`, fullPage: true });
});

test('the 17 components at a glance, a rule and a dispute beside the judgment', async () => {
  await page.goto(`${BASE}/${NS}/llama-tune`);
  const grid = page.locator('ul.components > li.comp');
  assert.equal(await grid.count(), 17);
  assert.match(await page.locator('#component-model_parameters_final').innerText(), /present/);
  const panel = page.locator('section[aria-labelledby="openness-h"]');
  assert.match(await panel.innerText(), /Disputed by .*we dispute the inherited restriction/s);
  await page.screenshot({ path: `${SHOTS}components-grid.png`, fullPage: true });
  const rule = panel.locator('.rule a').first();
  const ruleId = await rule.innerText();
  await rule.click();
  await page.waitForURL((u) => u.pathname === '/docs/openness/definition');
  assert.equal(await page.locator(`[id="rule-${ruleId}"]`).count(), 1, `no anchor for rule ${ruleId}`);
});

test('compare two models', async () => {
  await page.goto(`${BASE}/compare`);
  await page.getByLabel('Model 1').fill(`${NS}/open-classifier`);
  await page.getByLabel('Model 2').fill(`${NS}/llama-tune`);
  await page.getByRole('button', { name: 'Compare' }).click();
  const table = page.locator('table');
  assert.match(await table.innerText(), /llama3/);
  assert.match(await table.innerText(), /Model parameters/);
  await page.screenshot({ path: `${SHOTS}compare.png`, fullPage: true });
});

test('keyboard only: skip link, search, open a result', async () => {
  await page.goto(`${BASE}/`);
  await page.keyboard.press('Tab');
  assert.equal(await page.evaluate(() => document.activeElement.textContent), 'Skip to content');
  await page.keyboard.press('Enter');
  assert.equal(await page.evaluate(() => document.activeElement.id), 'main');
  await page.goto(`${BASE}/`);
  let id = '';
  for (let i = 0; i < 12 && id !== 'site-q'; i++) {
    await page.keyboard.press('Tab');
    id = await page.evaluate(() => document.activeElement.id);
  }
  assert.equal(id, 'site-q', 'the search field is reachable by Tab');
  await page.keyboard.type('llama');
  await page.keyboard.press('Enter');
  await page.waitForURL(/\/search\?q=llama/);
  let text = '';
  for (let i = 0; i < 60 && text !== `${NS}/llama-tune`; i++) {
    await page.keyboard.press('Tab');
    text = await page.evaluate(() => document.activeElement.textContent);
  }
  assert.equal(text, `${NS}/llama-tune`, 'the result is reachable by Tab');
  await page.keyboard.press('Enter');
  await page.waitForURL(new RegExp(`/${NS}/llama-tune$`));
  await page.screenshot({ path: `${SHOTS}keyboard.png`, fullPage: true });
});

test('axe-core: no serious or critical violations', async () => {
  for (const path of ['/', '/search?q=classifier', `/${NS}/open-classifier`, `/datasets/${NS}/reviews`,
    `/${NS}/open-classifier/blob/main/LICENSE`, `/compare?models=${NS}/open-classifier&models=${NS}/llama-tune`,
    `/organizations/${NS}`, '/funders', '/funders/european-commission', `/${NS}/llama-tune`,
    '/docs/openness/definition']) {
    await axeCheck(path);
  }
});
