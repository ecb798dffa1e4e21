// Headless-browser test of what a newcomer sees first: the README's example queries, typed into
// the search page in four scripts, find their picture first in the main job's collection (the
// 1,368 Noto emoji captioned in English, indexed with models/default.npz). The queries are the
// README's; a retrained default model must keep them true or the README must change with it.
// Environment: CLIPPO_BASE_URL (required), CLIPPO_ARTIFACTS (optional folder for screenshots).
// Run: tests/web/run_web_test.sh default_model CLIPPO_BINARY WORK_DIR (sets all of this up).

import {test, before, after} from 'node:test';
import assert from 'node:assert/strict';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import {launchChromium} from './browser.mjs';

const kBaseUrl = (process.env.CLIPPO_BASE_URL || '').replace(/\/+$/, '');
const kArtifacts = process.env.CLIPPO_ARTIFACTS ||
    fs.mkdtempSync(path.join(os.tmpdir(), 'clippo-web-artifacts-'));
assert.ok(kBaseUrl, 'set CLIPPO_BASE_URL to the server root, e.g. http://127.0.0.1:8080');
fs.mkdirSync(kArtifacts, {recursive: true});

// query -> the emoji it must find first: its file (code point) and English CLDR name.
const kExamples = [
  {query: 'wine glass', file: '1f377.png', caption: 'wine glass', shot: 'latin'},
  {query: 'дискета', file: '1f4be.png', caption: 'floppy disk', shot: 'cyrillic'},
  {query: 'معداد', file: '1f9ee.png', caption: 'abacus', shot: 'arabic'},
  {query: '錨', file: '2693.png', caption: 'anchor', shot: 'han'},
];

let chrome;

before(async () => {
  chrome = await launchChromium();
});

after(async () => {
  if (chrome) await chrome.close();
});

for (const example of kExamples) {
  test(`"${example.query}" finds the ${example.caption} first`, async () => {
    const context = await chrome.browser.newContext({viewport: {width: 1280, height: 900}});
    context.setDefaultTimeout(20000);
    try {
      const page = await context.newPage();
      const errors = [];
      page.on('pageerror', (err) => errors.push(err.message));
      await page.goto(`${kBaseUrl}/`, {waitUntil: 'domcontentloaded'});
      await page.waitForSelector('#health[data-state="ok"]');
      await page.locator('#q').pressSequentially(example.query);
      await page.press('#q', 'Enter');
      await page.waitForSelector('#status[data-state="done"]');
      const cards = await page.$$eval('#results > li.card', (els) => els.slice(0, 5).map((el) => ({
        uri: el.dataset.uri || '',
        caption: el.querySelector('.card__caption') ? el.querySelector('.card__caption').textContent : '',
      })));
      await page.screenshot({path: path.join(kArtifacts, `default_model_${example.shot}.png`)});
      const shown = cards.map((c) => `${c.caption} (${path.basename(c.uri)})`).join(', ');
      assert.ok(cards.length > 0, `no results for "${example.query}"`);
      assert.equal(path.basename(cards[0].uri), example.file, `top 5 for "${example.query}": ${shown}`);
      assert.equal(cards[0].caption, example.caption, shown);
      assert.deepEqual(errors, []);
    } finally {
      await context.close();
    }
  });
}
