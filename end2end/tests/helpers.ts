import { expect, type Page, test } from '@playwright/test';

export const VALID_ID = '11010519491231002X';

export function jsOn(): boolean {
  return test.info().project.use.javaScriptEnabled !== false;
}

/** Opens a page; with JavaScript on, waits until the WASM client has hydrated it. */
export async function open(page: Page, path: string) {
  await page.goto(path);
  await hydrated(page);
}

export async function hydrated(page: Page) {
  if (jsOn()) {
    await expect(page.locator('body')).toHaveAttribute('data-hydrated', 'true');
  }
}

/** Home → 开始报名 → tick the agreement → 下一步, ending on the identity step. */
export async function throughAgreement(page: Page) {
  await open(page, '/');
  await page.getByRole('link', { name: '开始报名' }).click();
  await expect(page).toHaveURL(/\/register\/agreement$/);
  await hydrated(page);
  await page.getByLabel('我已阅读并接受').check();
  await page.getByRole('button', { name: '下一步' }).click();
  await expect(page).toHaveURL(/\/register\/identity$/);
  await expect(page.getByRole('heading', { level: 1, name: '证件信息采集' })).toBeVisible();
  await hydrated(page);
}

export async function fillIdentity(page: Page, docNumber: string, name: string) {
  await page.getByLabel('证件号码').fill(docNumber);
  await page.getByLabel('姓名').fill(name);
}

/** The texts of the error summary's entries and of the messages beside the fields. */
export async function errorTexts(page: Page) {
  const summary = await page.locator('.error-summary li').allInnerTexts();
  const inline = await page.locator('.field__error').allInnerTexts();
  return { summary, inline: inline.map((t) => t.replace(/^错误：/, '').trim()) };
}
