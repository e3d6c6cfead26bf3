import { expect, test, type Browser } from '@playwright/test';
import { errorTexts, fillIdentity } from './helpers';

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

async function messages(browser: Browser, js: boolean, baseURL: string, docNumber: string, name: string) {
  const context = await browser.newContext({ javaScriptEnabled: js, baseURL, locale: 'zh-CN' });
  const page = await context.newPage();
  await page.goto('/register/agreement');
  if (js) await expect(page.locator('body')).toHaveAttribute('data-hydrated', 'true');
  await page.getByLabel('我已阅读并接受').check();
  await page.getByRole('button', { name: '下一步' }).click();
  await expect(page).toHaveURL(/\/register\/identity$/);
  if (js) await expect(page.locator('body')).toHaveAttribute('data-hydrated', 'true');
  await fillIdentity(page, docNumber, name);
  await page.getByRole('button', { name: '保存并继续' }).click();
  await expect(page.locator('.error-summary')).toBeVisible();
  const texts = await errorTexts(page);
  await context.close();
  return texts;
}

test('JavaScript on and off give identical messages for the same inputs', async ({ browser, baseURL }) => {
  for (const [docNumber, name] of cases) {
    const on = await messages(browser, true, baseURL!, docNumber, name);
    const off = await messages(browser, false, baseURL!, docNumber, name);
    expect(on.summary.length, `no errors for ${docNumber} / ${name}`).toBeGreaterThan(0);
    expect(on).toEqual(off);
  }
});
