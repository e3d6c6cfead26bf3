import { expect, test } from '@playwright/test';
import { freshPage, PROVINCE, staffCodeStep, staffPasswordStep, throughAgreement } from './helpers';

test('the province finds a candidate by the full document number and reads the registration', async ({ page, browser, baseURL }) => {
  test.setTimeout(90_000);
  const candidate = await freshPage(browser, baseURL);
  const c = await throughAgreement(candidate);

  await staffPasswordStep(page, PROVINCE);
  await staffCodeStep(page, PROVINCE);
  await page.getByRole('link', { name: '考生查询' }).click();
  await page.getByLabel('姓名、报名号、电子邮箱、订单号或完整证件号码').fill(c.docNumber);
  await page.getByRole('button', { name: '查询' }).click();
  const row = page.getByTestId('candidate-row');
  await expect(row).toHaveCount(1);
  // Listed masked; the full number is only what was typed.
  await expect(row).toContainText(`${c.docNumber.slice(0, 4)}**********${c.docNumber.slice(14)}`);
  await expect(row).not.toContainText(c.docNumber);
  await expect(page.getByTestId('candidate-total')).toContainText('共1名考生');
  await row.getByRole('link').click();
  await expect(page.getByTestId('candidate-summary')).toContainText(c.email);
  await expect(page.getByTestId('candidate-summary')).toContainText('（未选择）');

  // By e-mail in capitals, the same registration.
  await page.getByRole('link', { name: '考生查询' }).click();
  await page.getByLabel('姓名、报名号、电子邮箱、订单号或完整证件号码').fill(c.email.toUpperCase());
  await page.getByRole('button', { name: '查询' }).click();
  await expect(page.getByTestId('candidate-row')).toHaveCount(1);
});
