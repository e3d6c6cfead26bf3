import { expect, test } from '@playwright/test';
import { hydrated, newCandidate, open, readMail, signIn, signUp, verifyByMail } from './helpers';

test('sign up, read the mail, verify, sign in, sign out', async ({ page }) => {
  const c = newCandidate();
  // A refused sign-up keeps what was typed (but not the passwords) and says what is wrong.
  await open(page, '/pass/sign-up');
  await page.getByLabel('电子邮箱').fill(c.email);
  await page.getByLabel('证件号码').fill(c.docNumber);
  await page.getByLabel('姓名').fill(c.name);
  await page.getByLabel('密码', { exact: true }).fill('password123');
  await page.getByLabel('确认密码').fill('password123');
  await page.getByRole('button', { name: '注册' }).click();
  await expect(page.locator('.error-summary')).toBeFocused();
  await expect(page.locator('.error-summary li')).toHaveText(['这个密码太常见，很容易被猜中，请换一个']);
  await expect(page).toHaveTitle(/^错误：注册通行证/);
  await expect(page.getByLabel('电子邮箱')).toHaveValue(c.email);

  await signUp(page, c);
  await expect(page.getByTestId('notice')).toContainText('验证邮件');

  // Signed in before verifying: the pass page asks for the mail to be verified.
  await signIn(page, c.email, c.password);
  await expect(page.getByTestId('signed-in-as')).toHaveText(`${c.name}，您好`);
  await open(page, '/pass');
  await expect(page.getByTestId('unverified')).toBeVisible();
  await expect(page.getByTestId('neea-id')).toHaveText(/^[0-9A-F]{32}$/);
  await expect(page.getByTestId('pass-masked-number')).toHaveText(
    `${c.docNumber.slice(0, 4)}**********${c.docNumber.slice(14)}`,
  );
  await expect(page.locator('body')).not.toContainText(c.docNumber);

  await verifyByMail(page, c);
  await open(page, '/pass');
  await expect(page.getByTestId('unverified')).toHaveCount(0);

  await page.getByRole('button', { name: '退出登录' }).click();
  await expect(page.getByTestId('notice')).toHaveText('您已退出登录。');
  await hydrated(page);
  await expect(page.getByRole('navigation', { name: '通行证' }).getByRole('link', { name: '登录' })).toBeVisible();
  await open(page, '/pass');
  await expect(page.getByText('请先登录通行证')).toBeVisible();

  // Signing in by document number works too.
  await signIn(page, c.docNumber.toLowerCase(), c.password);
  await expect(page.getByTestId('signed-in-as')).toHaveText(`${c.name}，您好`);
});

test('a wrong password says the same as an unknown account', async ({ page }) => {
  const c = newCandidate();
  await signUp(page, c);
  await signIn(page, c.email, `${c.password}-wrong`);
  await expect(page.locator('.error-summary li')).toHaveText(['电子邮箱/证件号码或密码不正确']);
  await expect(page.getByLabel('密码')).toHaveValue('');
  const known = await page.locator('.error-summary li').allInnerTexts();
  const title = await page.title();
  await signIn(page, `nobody-${c.email}`, c.password);
  await expect(page.locator('.error-summary li')).toHaveText(known);
  await expect(page).toHaveTitle(title);
  await expect(page.getByLabel('密码')).toHaveValue('');
});

test('too many sign-in attempts get a clear page', async ({ page }) => {
  const c = newCandidate();
  await signUp(page, c);
  for (let i = 0; i < 10; i++) {
    await signIn(page, c.email, `${c.password}-wrong`);
    await expect(page.locator('.error-summary li')).toHaveText(['电子邮箱/证件号码或密码不正确']);
  }
  await signIn(page, c.email, c.password);
  await expect(page.getByRole('alert')).toContainText(/尝试次数过多，为保护您的账号，请在\d+(秒|分钟)后再试/);
  await expect(page.getByTestId('signed-in-as')).toHaveCount(0);
});

test('password reset by mail', async ({ page }) => {
  const c = newCandidate();
  await signUp(page, c);
  await open(page, '/pass/reset');
  await page.getByLabel('电子邮箱').fill(c.email);
  await page.getByRole('button', { name: '发送链接' }).click();
  await expect(page.getByTestId('notice')).toContainText('重新设置密码的链接');
  const mail = await readMail(c.email, '重新设置密码');
  const link = mail.text.match(/https?:\/\/\S+/)![0];
  await open(page, new URL(link).pathname + new URL(link).search);
  const fresh = `${c.password}-new`;
  await page.getByLabel('密码', { exact: true }).fill(fresh);
  await page.getByLabel('确认密码').fill(fresh);
  await page.getByRole('button', { name: '设置新密码' }).click();
  await expect(page.getByTestId('notice')).toContainText('新密码已设置');
  await signIn(page, c.email, fresh);
  await expect(page.getByTestId('signed-in-as')).toHaveText(`${c.name}，您好`);
});
