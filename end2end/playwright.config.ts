import { defineConfig } from '@playwright/test';

// Debian's Chromium (Playwright's own browser download cannot run here). These flags keep
// it from reaching for the network, which is closed on CI machines.
const chromiumArgs = [
  '--no-sandbox',
  '--disable-gpu',
  '--disable-quic',
  '--no-first-run',
  '--disable-background-networking',
  '--disable-component-update',
  '--disable-sync',
];

export default defineConfig({
  testDir: './tests',
  timeout: 30_000,
  expect: { timeout: 10_000 },
  workers: 2,
  retries: 0,
  forbidOnly: true,
  use: {
    baseURL: process.env.BASE_URL ?? 'http://127.0.0.1:3000',
    locale: 'zh-CN',
    launchOptions: {
      executablePath: process.env.CHROMIUM_PATH ?? '/usr/bin/chromium',
      args: chromiumArgs,
    },
    trace: 'off',
  },
  projects: [
    { name: 'js-on', use: { javaScriptEnabled: true } },
    // Without JavaScript the browser posts plain forms; the tests that watch the WASM
    // client (live checks, no request on a bad submit) and the comparison of both modes
    // are JS-on only by nature.
    { name: 'js-off', use: { javaScriptEnabled: false }, testIgnore: ['**/live.spec.ts', '**/same-words.spec.ts'] },
  ],
});
