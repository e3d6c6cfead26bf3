import { expect, test, type Browser } from '@playwright/test';
import { errorTexts, fillIdentity, signedInCandidate } from './helpers';

type State = Awaited<ReturnType<import('@playwright/test').BrowserContext['storageState']>>;

// The same inputs through the WASM client (JavaScript on) and through the server's form
// handling (JavaScript off) must produce the very same messages.
const cases: Array<[string, string]> = [
  ['110105194912310021', '张三'],
  ['11010519491231002', '张 三'],
  ['990105194912310025', '·艾力'],
  ['110105194902300023', 'Zhang'],
  ['', ''],
  ['650102209901011230', '买买提··艾力'],
  ['650102202301011235', '张三'],
];

async function messages(browser: Browser, js: boolean, baseURL: string, state: State, docNumber: string, name: string) {
  const context = await browser.newContext({ javaScriptEnabled: js, baseURL, locale: 'zh-CN', storageState: state });
  const page = await context.newPage();
  // The identity rule as the pass's edit form runs it.
  await page.goto('/pass');
  if (js) await expect(page.locator('body')).toHaveAttribute('data-hydrated', 'true');
  await fillIdentity(page, docNumber, name);
  await page.getByRole('button', { name: '保存', exact: true }).click();
  await expect(page.locator('.error-summary')).toBeVisible();
  const texts = await errorTexts(page);
  await context.close();
  return texts;
}

test('JavaScript on and off give identical messages for the same inputs', async ({ browser, baseURL, page }) => {
  // Two fresh browser contexts per case: longer than one page's budget on a busy 2-core machine.
  test.setTimeout(120_000);
  // One signed-in candidate; both kinds of browser carry its session.
  await signedInCandidate(page);
  const state = await page.context().storageState();
  for (const [docNumber, name] of cases) {
    const on = await messages(browser, true, baseURL!, state, docNumber, name);
    const off = await messages(browser, false, baseURL!, state, docNumber, name);
    expect(on.summary.length, `no errors for ${docNumber} / ${name}`).toBeGreaterThan(0);
    expect(on).toEqual(off);
  }
});

// The sign-up form: the same rules (e-mail, identity, password) in both modes.
const signUpCases: Array<Record<string, string>> = [
  { email: 'not-an-address', doc: '110105194912310021', name: '张三', pw: 'short', pw2: 'other' },
  { email: 'a@b.cn', doc: '', name: 'Zhang', pw: 'password123', pw2: 'password123' },
  { email: '', doc: '11010519491231002X', name: '张三', pw: '11010519491231002x', pw2: '11010519491231002x' },
];

async function signUpMessages(browser: Browser, js: boolean, baseURL: string, f: Record<string, string>) {
  const context = await browser.newContext({ javaScriptEnabled: js, baseURL, locale: 'zh-CN' });
  const page = await context.newPage();
  await page.goto('/pass/sign-up');
  if (js) await expect(page.locator('body')).toHaveAttribute('data-hydrated', 'true');
  await page.getByLabel('电子邮箱').fill(f.email);
  await page.getByLabel('证件号码').fill(f.doc);
  await page.getByLabel('姓名').fill(f.name);
  await page.getByLabel('密码', { exact: true }).fill(f.pw);
  await page.getByLabel('确认密码').fill(f.pw2);
  await page.getByRole('button', { name: '注册' }).click();
  await expect(page.locator('.error-summary')).toBeVisible();
  const texts = await errorTexts(page);
  await context.close();
  return texts;
}

test('the sign-up form gives identical messages with JavaScript on and off', async ({ browser, baseURL }) => {
  test.setTimeout(90_000);
  for (const f of signUpCases) {
    const on = await signUpMessages(browser, true, baseURL!, f);
    const off = await signUpMessages(browser, false, baseURL!, f);
    expect(on.summary.length, JSON.stringify(f)).toBeGreaterThan(0);
    expect(on).toEqual(off);
  }
});
