// Starts Debian's Chromium headless for the web tests (playwright-core), in a throw-away home.
//   const chrome = await launchChromium();  ...  await chrome.close();
// CLIPPO_CHROMIUM names another browser binary (default /usr/bin/chromium).

import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import {chromium} from 'playwright-core';

export async function launchChromium() {
  // launch() gives Chromium a fresh temporary profile (--user-data-dir) of its own and deletes it
  // on close; HOME and the XDG folders point into another fresh folder so that nothing the
  // browser writes outside its profile (crash reports, caches) lands in the user's home.
  const home = fs.mkdtempSync(path.join(os.tmpdir(), 'clippo-chromium-'));
  const browser = await chromium.launch({
    executablePath: process.env.CLIPPO_CHROMIUM || '/usr/bin/chromium',
    headless: true,
    args: [
      '--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run',
      '--disable-background-networking', '--disable-component-update', '--disable-sync',
      '--no-proxy-server',
    ],
    env: {...process.env, HOME: home, XDG_CONFIG_HOME: path.join(home, 'config'),
          XDG_CACHE_HOME: path.join(home, 'cache')},
    timeout: 60000,
  });
  return {
    browser,
    async close() {
      await browser.close();
      fs.rmSync(home, {recursive: true, force: true});
    },
  };
}
