import { createHmac } from 'node:crypto';
import { expect, test, type Page } from '@playwright/test';
import { jsOn, open } from './helpers';

// The demo console accounts `server seed-demo` creates (server/src/seed.rs), enrolled.
const PASSWORD = 'Demo-Staff-2026';
const PROVINCE = { email: 'province@ncre.example', secret: 'NCREDEMOPROVINCEADMINSECRETKEYAB' };
const SITE = { email: 'site650101@ncre.example', secret: 'NCREDEMOSITESTAFFSECRETKEYABCDEF' };

function base32(s: string): Buffer {
  const alphabet = 'ABCDEFGHIJKLMNOPQRSTUVWXYZ234567';
  let bits = '';
  for (const c of s) bits += alphabet.indexOf(c).toString(2).padStart(5, '0');
  const bytes = [];
  for (let i = 0; i + 8 <= bits.length; i += 8) bytes.push(parseInt(bits.slice(i, i + 8), 2));
  return Buffer.from(bytes);
}

/** RFC 6238 (HMAC-SHA1, 6 digits, 30 s), as an authenticator app computes it. */
function totp(secret: string, step: number): string {
  const counter = Buffer.alloc(8);
  counter.writeBigUInt64BE(BigInt(step));
  const mac = createHmac('sha1', base32(secret)).update(counter).digest();
  const offset = mac[mac.length - 1] & 15;
  return String((mac.readUInt32BE(offset) & 0x7fffffff) % 1_000_000).padStart(6, '0');
}

async function signIn(page: Page, account: { email: string; secret: string }) {
  await open(page, '/staff/sign-in');
  await page.getByLabel('电子邮箱').fill(account.email);
  await page.getByLabel('密码').fill(PASSWORD);
  await page.getByRole('button', { name: '下一步' }).click();
  await expect(page).toHaveURL(/\/staff\/second-factor$/);
  // A wrong code is said beside the field and in the summary; nothing opens.
  await page.getByLabel('动态验证码').fill('12345');
  await page.getByRole('button', { name: '登录' }).click();
  await expect(page.locator('.error-summary li')).toHaveText(['验证码是6位数字，请检查']);
  // The next step's code: accepted (clocks drift by a step), and never one a parallel run used.
  const step = Math.floor(Date.now() / 1000 / 30) + 1;
  await page.getByLabel('动态验证码').fill(totp(account.secret, step));
  await page.getByRole('button', { name: '登录' }).click();
  await expect(page).toHaveURL(/\/staff$/);
}

test('a staff account needs its password and a code, and sees only its sites', async ({ page }) => {
  // Without a session the console sends the browser to its sign-in page.
  await page.goto('/staff');
  await expect(page).toHaveURL(/\/staff\/sign-in\?notice=staff-sign-in-required$/);
  await expect(page.getByTestId('notice')).toContainText('请先登录管理系统');

  // The two browser projects sign in as different accounts, so neither reuses the other's code.
  if (jsOn()) {
    await signIn(page, PROVINCE);
    await expect(page.getByTestId('staff-role')).toHaveText('省级管理员');
    await expect(page.getByTestId('staff-sites').locator('tbody tr')).toHaveCount(3);
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
