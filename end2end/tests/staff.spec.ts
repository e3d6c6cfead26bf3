import { expect, test, type Page } from '@playwright/test';
import { jsOn, open, PROVINCE, SITE, staffCodeStep, staffPasswordStep, type StaffAccount } from './helpers';

async function signIn(page: Page, account: StaffAccount) {
  await staffPasswordStep(page, account);
  // A wrong code is said beside the field and in the summary; nothing opens.
  await page.getByLabel('动态验证码').fill('12345');
  await page.getByRole('button', { name: '登录' }).click();
  await expect(page.locator('.error-summary li')).toHaveText(['验证码是6位数字，请检查']);
  await staffCodeStep(page, account);
}

test('a staff account needs its password and a code, and sees only its sites', async ({ page }) => {
  // A code is accepted once per account: when another test signed this account in with the
  // same 30-second code, staffCodeStep waits for the next step (up to 31 s), which alone can
  // outlast the default 30 s (it did once in CI, 2026-12-08).
  test.setTimeout(90_000);
  // Without a session the console sends the browser to its sign-in page.
  await page.goto('/staff');
  await expect(page).toHaveURL(/\/staff\/sign-in\?notice=staff-sign-in-required$/);
  await expect(page.getByTestId('notice')).toContainText('请先登录管理系统');

  // The two browser projects sign in as different accounts, so neither reuses the other's code.
  if (jsOn()) {
    await signIn(page, PROVINCE);
    await expect(page.getByTestId('staff-role')).toHaveText('省级管理员');
    // The seeded three (the console test adds sites of its own meanwhile).
    for (const site of [/659028\s*新疆应用职业技术学院/, /650101\s*新疆大学/, /650105\s*新疆师范大学/]) {
      await expect(page.getByTestId('staff-sites').locator('tbody tr', { hasText: site })).toHaveCount(1);
    }
  } else {
    await signIn(page, SITE);
    await expect(page.getByTestId('staff-role')).toHaveText('考点老师');
    await expect(page.getByTestId('staff-sites').locator('tbody tr')).toHaveText([/650101\s*新疆大学/]);
  }
  // Not a candidate: the candidate's pages do not know this browser.
  await page.goto('/pass');
  await expect(page.locator('body')).toContainText('请先登录通行证');

  await page.goto('/staff');
  await page.getByRole('button', { name: '退出管理系统' }).click();
  await expect(page.getByTestId('notice')).toHaveText('您已退出管理系统。');
  await page.goto('/staff');
  await expect(page).toHaveURL(/\/staff\/sign-in/);
});
