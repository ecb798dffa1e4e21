// Headless-browser test of the search page (web/) served by a running `clippo serve`.
// node:test + playwright-core driving Debian's Chromium. Environment:
//   CLIPPO_BASE_URL     server root, e.g. http://127.0.0.1:40123 (required)
//   CLIPPO_QUERY_IMAGE  a JPEG/PNG file to search by image (required)
//   CLIPPO_ARTIFACTS    folder for screenshots (optional; default: a temporary folder)
//   CLIPPO_CHROMIUM     browser binary (optional; default /usr/bin/chromium)
// The collection behind the server holds at least 3 items; any model will do, so the tests check
// that results arrive, are well formed and ordered, never which image wins.
// Run: tests/web/run_web_test.sh search_page CLIPPO_BINARY WORK_DIR (sets all of the above up).

import {test, before, after, beforeEach, afterEach} from 'node:test';
import assert from 'node:assert/strict';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import {launchChromium} from './browser.mjs';

const kBaseUrl = (process.env.CLIPPO_BASE_URL || '').replace(/\/+$/, '');
const kQueryImage = process.env.CLIPPO_QUERY_IMAGE || '';
const kArtifacts = process.env.CLIPPO_ARTIFACTS ||
    fs.mkdtempSync(path.join(os.tmpdir(), 'clippo-web-artifacts-'));
const kTimeoutMs = 20000;
const kMinItems = 3;

assert.ok(kBaseUrl, 'set CLIPPO_BASE_URL to the server root, e.g. http://127.0.0.1:8080');
assert.ok(kQueryImage && fs.existsSync(kQueryImage), `CLIPPO_QUERY_IMAGE: no file at "${kQueryImage}"`);
fs.mkdirSync(kArtifacts, {recursive: true});

let chrome;
let browser;
let context;
let page;
let pageErrors;
let allowedFailures;  // regexps over 'METHOD URL' of replies a test expects to fail

before(async () => {
  chrome = await launchChromium();
  browser = chrome.browser;
});

after(async () => {
  if (chrome) await chrome.close();
});

async function openPage(contextOptions = {}) {
  context = await browser.newContext({viewport: {width: 1280, height: 900}, ...contextOptions});
  context.setDefaultTimeout(kTimeoutMs);
  page = await context.newPage();
  pageErrors = [];
  allowedFailures = [];
  page.on('pageerror', (err) => pageErrors.push(`pageerror: ${err.message}`));
  // Chromium logs every 4xx/5xx fetch as a console error; those are judged by URL below instead.
  page.on('console', (msg) => {
    if (msg.type() === 'error' && !msg.text().startsWith('Failed to load resource')) {
      pageErrors.push(`console: ${msg.text()}`);
    }
  });
  page.on('response', (response) => {
    const where = `${response.request().method()} ${response.url()}`;
    if (response.status() >= 400 && !allowedFailures.some((re) => re.test(where))) {
      pageErrors.push(`HTTP ${response.status()}: ${where}`);
    }
  });
  page.on('requestfailed', (request) => {
    const failure = request.failure();
    if (failure && failure.errorText !== 'net::ERR_ABORTED') {
      pageErrors.push(`request failed: ${request.url()} ${failure.errorText}`);
    }
  });
  return page;
}

beforeEach(async () => {
  await openPage();
});

afterEach(async () => {
  const errors = pageErrors;
  await context.close();
  assert.deepEqual(errors, [], 'the page logged errors or got unexpected error replies');
});

async function loadPage(p = page) {
  const response = await p.goto(`${kBaseUrl}/`, {waitUntil: 'domcontentloaded'});
  assert.equal(response.status(), 200, 'GET / serves the page');
  await p.waitForSelector('#health[data-state="ok"]');
}

// Reads the result cards once the status says they are there: [{id, score, scoreText, alt}].
async function resultCards(p = page) {
  await p.waitForSelector('#status[data-state="done"]');
  return p.$$eval('#results > li.card', (cards) => cards.map((card) => ({
    id: card.dataset.id,
    uri: card.dataset.uri || '',
    score: Number(card.dataset.score),
    scoreText: card.querySelector('.score').textContent,
    idText: card.querySelector('.item-id').textContent,
    alt: card.querySelector('img').alt,
    src: card.querySelector('img').getAttribute('src'),
  })));
}

function checkRanking(cards, k) {
  assert.ok(cards.length >= kMinItems, `expected >= ${kMinItems} results, got ${cards.length}`);
  assert.ok(cards.length <= k, `got ${cards.length} results for k=${k}`);
  for (const card of cards) {
    assert.ok(Number.isFinite(card.score), `card ${card.id} has a numeric score`);
    assert.match(card.scoreText, /^-?\d+\.\d{3}$/, 'score shown with 3 decimals');
    assert.equal(card.idText, `#${card.id}`);
    assert.ok(card.alt.length > 0, 'every result image has alt text');
    assert.ok(card.src, 'every result has an image URL');
  }
  for (let i = 1; i < cards.length; ++i) {
    assert.ok(cards[i - 1].score >= cards[i].score,
        `scores descend: ${cards[i - 1].score} then ${cards[i].score}`);
  }
  assert.equal(new Set(cards.map((c) => c.id)).size, cards.length, 'ids are unique');
}

async function typeAndSearch(text) {
  await page.fill('#q', '');
  await page.locator('#q').pressSequentially(text);
  await page.press('#q', 'Enter');
}

test('the page loads and the footer shows the health of the server', async () => {
  const health = await (await fetch(`${kBaseUrl}/v1/health`)).json();
  await loadPage();
  const footer = await page.textContent('#health');
  assert.match(footer, new RegExp(`\\b${health.items} items?\\b`), footer);
  assert.ok(health.items >= kMinItems, `the collection holds ${health.items} items`);
  const hash = health.model.content_hash;
  assert.ok(typeof hash === 'string' && hash.length > 0, 'health reports model.content_hash');
  const shown = await page.textContent('#health-model');
  assert.ok(shown.length >= 12 && hash.startsWith(shown.replace(/…$/, '')),
      `footer shows the model hash ${hash}: ${footer}`);
  assert.ok((await page.getAttribute('#health-model', 'title')).startsWith(hash));
  // The preview's caption states the served model's input size, not a fixed one.
  assert.ok(Number.isInteger(health.image_size) && health.image_size > 0, 'health reports image_size');
  assert.equal(await page.textContent('#render-size'),
      `${health.image_size} × ${health.image_size} pixels · click to zoom`);
  assert.equal(await page.title(), 'clippo — image search in any language');
  assert.equal(await page.getAttribute('#q', 'dir'), 'auto');
  assert.equal(await page.$eval('#k', (k) => k.value), '24', 'k defaults to 24');
  // Every form control has an accessible name.
  const unnamed = await page.$$eval('input, select, button', (els) => els
      .filter((el) => !(el.labels && el.labels.length) && !el.getAttribute('aria-label') &&
                      !el.textContent.trim())
      .map((el) => el.id || el.outerHTML));
  assert.deepEqual(unnamed, []);
  // Everything the page loads comes from the server itself (no CDN).
  const foreign = await page.evaluate((origin) => performance.getEntriesByType('resource')
      .map((e) => e.name).filter((u) => !u.startsWith(origin) && !u.startsWith('data:')),
  new URL(kBaseUrl).origin);
  assert.deepEqual(foreign, []);
});

test('a text query shows ranked result cards, whose images load', async () => {
  await loadPage();
  await typeAndSearch('a photo of a cat');
  const cards = await resultCards();
  checkRanking(cards, 24);
  const status = await page.textContent('#status');
  assert.match(status, /results? for “a photo of a cat”/);
  // The first card's image really comes back from GET /v1/items/{id}/image.
  const first = page.locator('#results > li.card img').first();
  await first.scrollIntoViewIfNeeded();
  await page.waitForFunction(
      () => {
        const img = document.querySelector('#results > li.card img');
        return img && img.complete && img.naturalWidth > 0;
      }, null, {timeout: kTimeoutMs});
  await page.screenshot({path: path.join(kArtifacts, 'desktop_results.png'), fullPage: true});
});

test('text items show as text cards, and the kinds filter narrows the results', async () => {
  const health = await (await fetch(`${kBaseUrl}/v1/health`)).json();
  assert.ok(health.kinds.text > 0 && health.kinds.image > 0, 'the collection holds both kinds');
  await loadPage();
  assert.ok(await page.isVisible('#kinds'), 'the kinds filter shows when both kinds are there');
  assert.match(await page.textContent('#health'),
      new RegExp(`\\(${health.kinds.image} images, ${health.kinds.text} texts\\)`));
  // The same text as a stored text item: that item ranks first, shown as a text card.
  await typeAndSearch('a photo of a cat');
  const cards = await resultCards();
  checkRanking(cards, 24);
  assert.equal(cards.length, health.items, 'both kinds come back by default');
  const first = page.locator('#results > li.card').first();
  assert.equal(await first.getAttribute('data-kind'), 'text');
  assert.equal(await first.locator('.card__caption').textContent(), 'a photo of a cat');
  assert.equal(await first.locator('.card__kind').textContent(), 'text · en');
  // Its picture is the rendered text, served as a PNG.
  await page.waitForFunction(() => {
    const img = document.querySelector('#results > li.card img');
    return img && img.complete && img.naturalWidth > 0;
  }, null, {timeout: kTimeoutMs});
  await page.screenshot({path: path.join(kArtifacts, 'desktop_text_results.png'), fullPage: true});

  // Images only: the search repeats with "kinds": ["image"].
  const request = page.waitForRequest((r) => r.url().endsWith('/v1/search') && r.method() === 'POST');
  await page.uncheck('#kind-text');
  assert.deepEqual(JSON.parse((await request).postData()).kinds, ['image']);
  await page.waitForFunction((n) => document.querySelector('#status').dataset.state === 'done' &&
      document.querySelectorAll('#results > li.card').length === n, health.kinds.image, {timeout: kTimeoutMs});
  const kinds = await page.$$eval('#results > li.card', (els) => els.map((el) => el.dataset.kind));
  assert.ok(kinds.every((k) => k === 'image'), kinds.join());
  // Unchecking the other one too leaves texts only: never neither.
  await page.uncheck('#kind-image');
  assert.equal(await page.isChecked('#kind-text'), true);
  await page.waitForFunction((n) => document.querySelector('#status').dataset.state === 'done' &&
      [...document.querySelectorAll('#results > li.card')].every((el) => el.dataset.kind === 'text') &&
      document.querySelectorAll('#results > li.card').length === n, health.kinds.text, {timeout: kTimeoutMs});
});

test('a right-to-left query types right-to-left and finds results', async () => {
  await loadPage();
  await typeAndSearch('قطة');
  assert.equal(await page.inputValue('#q'), 'قطة');
  assert.ok(await page.$eval('#q', (el) => el.matches(':dir(rtl)')), 'the input is right-to-left');
  checkRanking(await resultCards(), 24);
  // k is honoured: choosing a smaller k repeats the search with it.
  await page.selectOption('#k', '12');
  await page.waitForFunction(() => document.querySelector('#status').dataset.state === 'done' &&
      document.querySelectorAll('#results > li.card').length <= 12);
  await page.screenshot({path: path.join(kArtifacts, 'desktop_rtl_results.png'), fullPage: true});
});

test('the preview of what the model sees follows the typed text', async () => {
  await loadPage();
  const renders = [];
  page.on('request', (req) => {
    if (req.url().includes('/v1/render?')) renders.push(req.url());
  });
  await page.locator('#q').pressSequentially('שלום world', {delay: 20});
  await page.waitForFunction(() => {
    const img = document.querySelector('#render-preview');
    return !document.querySelector('#render-figure').hidden && img.complete && img.naturalWidth > 0;
  });
  const src = await page.getAttribute('#render-preview', 'src');
  assert.equal(src, `/v1/render?text=${encodeURIComponent('שלום world')}`);
  // Debounced: typing 10 characters quickly asks for far fewer renders.
  assert.ok(renders.length >= 1 && renders.length <= 3, `${renders.length} render requests`);
  const size = await page.$eval('#render-preview', (img) => [img.naturalWidth, img.naturalHeight]);
  assert.ok(size[0] > 0 && size[1] > 0, `rendered ${size}`);
  assert.ok((await page.getAttribute('#render-preview', 'alt')).includes('שלום world'));
  // The zoom button shows it at the model's own size, one image pixel per CSS pixel.
  const shownWidth = () => page.$eval('#render-preview', (img) => img.getBoundingClientRect().width);
  const small = await shownWidth();
  await page.click('#render-zoom');
  assert.equal(await page.getAttribute('#render-zoom', 'aria-pressed'), 'true');
  assert.equal(await shownWidth(), size[0]);
  await page.keyboard.press('Enter');
  assert.equal(await shownWidth(), small);
  // Clearing the box hides the preview.
  await page.fill('#q', '');
  await page.waitForSelector('#render-figure', {state: 'hidden'});
});

test('searching by an uploaded image shows its thumbnail and results', async () => {
  await loadPage();
  await page.setInputFiles('#file', kQueryImage);
  await page.waitForFunction(() => {
    const img = document.querySelector('#query-image');
    return !document.querySelector('#image-figure').hidden && img.complete && img.naturalWidth > 0;
  });
  const cards = await resultCards();
  checkRanking(cards, 24);
  assert.match(await page.textContent('#status'), /for the image/);
  // Whatever the model, an image that is itself in the collection finds itself first (cosine 1).
  const self = cards.find((c) => path.basename(c.uri) === path.basename(kQueryImage));
  if (self) {
    assert.ok(self.score > 0.99, `the query image scores ${self.score} against itself`);
    assert.ok(cards[0].score - self.score < 1e-3, 'and ranks first (ties aside)');
  }
  assert.equal(await page.textContent('#query-image-name'), path.basename(kQueryImage));
  await page.screenshot({path: path.join(kArtifacts, 'desktop_image_query.png'), fullPage: true});
  // Removing the image hides the thumbnail.
  await page.click('#clear-image');
  await page.waitForSelector('#image-figure', {state: 'hidden'});
});

test('an image the server cannot decode shows its error message', async () => {
  await loadPage();
  allowedFailures.push(/^POST .*\/v1\/search$/);
  const bogus = path.join(os.tmpdir(), `clippo-not-an-image-${process.pid}.png`);
  fs.writeFileSync(bogus, 'this is not a PNG file');
  try {
    const [response] = await Promise.all([
      page.waitForResponse((r) => r.url().endsWith('/v1/search')),
      page.setInputFiles('#file', bogus),
    ]);
    assert.ok(response.status() >= 400 && response.status() < 500,
        `a bad image is a client error, got ${response.status()}`);
    const body = await response.json();
    await page.waitForSelector('#status[data-state="error"]');
    const shown = await page.textContent('#status');
    assert.equal(shown, body.error.message, 'the page shows the server\'s error.message');
    assert.equal(await page.$$eval('#results > li', (l) => l.length), 0);
  } finally {
    fs.rmSync(bogus, {force: true});
  }
});

test('an empty query shows a clear message instead of searching', async () => {
  await loadPage();
  let searches = 0;
  page.on('request', (req) => {
    if (req.url().endsWith('/v1/search')) searches += 1;
  });
  await page.fill('#q', '   ');
  await page.press('#q', 'Enter');
  await page.waitForSelector('#status[data-state="hint"]');
  assert.match(await page.textContent('#status'), /type something/i);
  // After a real search, an empty one clears the results and says so again.
  await typeAndSearch('dog');
  await resultCards();
  await page.fill('#q', '');
  await page.click('#search-button');
  await page.waitForSelector('#status[data-state="hint"]');
  assert.equal(await page.$$eval('#results > li', (l) => l.length), 0);
  assert.equal(searches, 1, 'only the non-empty query reached the server');
});

test('keyboard: a result opens in a viewer and Escape closes it', async () => {
  await loadPage();
  await typeAndSearch('sky');
  const cards = await resultCards();
  await page.focus('#results > li.card:first-child a');
  await page.keyboard.press('Enter');
  await page.waitForSelector('#viewer[open]');
  assert.equal(await page.textContent('#viewer-id'), cards[0].id);
  assert.equal(await page.textContent('#viewer-score'), `score ${cards[0].scoreText}`);
  await page.keyboard.press('Escape');
  await page.waitForSelector('#viewer', {state: 'hidden'});
});

test('the server not being ready is shown, then clears', async () => {
  // The real server answers 200 once started; stand in for the start-up window with a route.
  let ready = false;
  allowedFailures.push(/^GET .*\/v1\/health$/, /^POST .*\/v1\/search$/);
  await page.route('**/v1/health', (route) => (ready ? route.fallback() : route.fulfill({
    status: 503,
    contentType: 'application/json',
    body: JSON.stringify({error: {code: 'unavailable', message: 'loading the model'}}),
  })));
  await page.goto(`${kBaseUrl}/`);
  await page.waitForSelector('#health[data-state="not-ready"]');
  await page.waitForSelector('#banner:not([hidden])');
  assert.match(await page.textContent('#banner'), /not ready.*loading the model/);
  ready = true;
  await page.waitForSelector('#health[data-state="ok"]', {timeout: kTimeoutMs});
  await page.waitForSelector('#banner', {state: 'hidden'});
  // A 503 from the search itself is shown as the server's message too; such a reply makes the
  // page re-check health, so keep health answering too.
  await page.route('**/v1/search', (route) => route.fulfill({
    status: 503,
    contentType: 'application/json',
    body: JSON.stringify({error: {code: 'unavailable', message: 'index is reloading'}}),
  }));
  await typeAndSearch('cat');
  await page.waitForSelector('#status[data-state="error"]');
  assert.match(await page.textContent('#status'), /not ready.*index is reloading/);
});

test('a phone viewport shows the grid without horizontal scrolling', async () => {
  await context.close();
  await openPage({
    viewport: {width: 390, height: 844}, deviceScaleFactor: 2, isMobile: true, hasTouch: true,
  });
  await loadPage();
  await typeAndSearch('قطة');
  const cards = await resultCards();
  checkRanking(cards, 24);
  const layout = await page.evaluate(() => {
    const grid = document.querySelector('#results');
    const columns = getComputedStyle(grid).gridTemplateColumns.split(' ').length;
    const offenders = Array.from(document.querySelectorAll('body *'))
        .filter((el) => el.getBoundingClientRect().right > window.innerWidth + 0.5 &&
                        getComputedStyle(el).position !== 'fixed' && el.getClientRects().length)
        .map((el) => el.id || el.className || el.tagName);
    return {
      scrollWidth: document.documentElement.scrollWidth,
      innerWidth: window.innerWidth,
      columns,
      offenders,
    };
  });
  assert.equal(layout.innerWidth, 390);
  assert.ok(layout.scrollWidth <= layout.innerWidth, `page is ${layout.scrollWidth}px wide`);
  assert.deepEqual(layout.offenders, [], 'no element sticks out to the right');
  assert.ok(layout.columns >= 2, `${layout.columns} grid columns on a phone`);
  await page.screenshot({path: path.join(kArtifacts, 'phone_results.png'), fullPage: false});
  await page.screenshot({path: path.join(kArtifacts, 'phone_results_full.png'), fullPage: true});
});
