import { expect, test } from '@playwright/test';
import { errorTexts, fillIdentity, open, signedInCandidate, throughAgreement, VALID_ID } from './helpers';

test('home shows the session, province, site and 开始报名', async ({ page }) => {
  await open(page, '/');
  await expect(page.getByText('报名前请先登录通行证')).toBeVisible();
  const c = await signedInCandidate(page);
  await open(page, '/');
  await expect(page.getByTestId('home-masked-number')).toHaveText(`${c.docNumber.slice(0, 4)}**********${c.docNumber.slice(14)}`);
  await expect(page.getByRole('heading', { name: '欢迎使用NCRE考试报名系统' })).toBeVisible();
  await expect(page.getByText('第75次 2025年03月全国计算机等级考试')).toBeVisible();
  await expect(page.getByText('(65)新疆维吾尔自治区')).toBeVisible();
  await expect(page.getByText('(659028)新疆应用职业技术学院')).toBeVisible();
  await expect(page.getByTestId('registration-status')).toHaveText('未报名');
  await expect(page.getByRole('link', { name: '开始报名' })).toBeVisible();
});

test('the agreement cannot be skipped', async ({ page }) => {
  await open(page, '/register/agreement');
  await expect(page.getByText('请先登录通行证')).toBeVisible();
  await signedInCandidate(page);
  await open(page, '/register/agreement');
  await expect(page.getByRole('listitem').filter({ hasText: '每个科目只能报考一次' })).toBeVisible();
  await page.getByRole('button', { name: '下一步' }).click();
  const summary = page.locator('.error-summary');
  await expect(summary).toBeVisible();
  await expect(summary).toBeFocused();
  await expect(summary.getByRole('link')).toHaveText('请阅读报名协议，并勾选“我已阅读并接受”后再继续');
  await expect(page).toHaveTitle(/^错误：报名协议/);
  await expect(page).toHaveURL(/\/register\/agreement$/);
});

test('identity: errors beside the field and in the summary, values kept, then saved', async ({ page }) => {
  await throughAgreement(page);
  // Full-width digits are converted (and the page says so) before the rule runs.
  await fillIdentity(page, '１１０１０５１９４９１２３１００２１', '买买提··艾力');
  await page.getByRole('button', { name: '保存并继续' }).click();

  await expect(page.locator('.error-summary')).toBeFocused();
  const { summary, inline } = await errorTexts(page);
  expect(summary).toEqual(['证件号码最后一位校验码与前17位不符，请逐位核对', '间隔号“·”不能连续出现']);
  expect(inline).toEqual(summary);
  await expect(page.getByLabel('证件号码')).toHaveValue('110105194912310021');
  await expect(page.getByLabel('姓名')).toHaveValue('买买提··艾力');
  await expect(page.locator('#doc_number-note')).toHaveText('已将全角字符转换为半角');
  await expect(page).toHaveTitle(/^错误：证件信息采集/);

  // The summary links to the field.
  await page.locator('.error-summary').getByRole('link', { name: /校验码/ }).click();
  await expect(page.getByLabel('证件号码')).toBeFocused();

  // A lower-case x and a look-alike dot are accepted; the dot's change is reported.
  await fillIdentity(page, '11010519491231002x', '买买提．艾力');
  await page.getByRole('button', { name: '保存并继续' }).click();
  await expect(page).toHaveURL(/\/register\/summary$/);
  await expect(page.getByText('证件信息已保存')).toBeVisible();
  await expect(page.getByTestId('masked-number')).toHaveText('1101**********002X');
  await expect(page.getByText('1949年12月31日')).toBeVisible();
  await expect(page.getByText('已将间隔号统一为“·”')).toBeVisible();
  await expect(page.locator('body')).not.toContainText(VALID_ID);

  // Back home, the status has moved on.
  await page.getByRole('link', { name: '返回首页' }).click();
  await expect(page.getByTestId('registration-status')).toHaveText('证件信息已填写');
});
