import { expect, test, type Page } from '@playwright/test';
import { open, signedInCandidate, VALID_ID } from './helpers';

/** The pass's edit form: the identity rule, live. */
async function toPassEdit(page: Page) {
  await signedInCandidate(page);
  await open(page, '/pass');
}

/** Records every request the page makes to our server functions from now on. */
function watchApi(page: Page) {
  const calls: string[] = [];
  page.on('request', (r) => {
    if (new URL(r.url()).pathname.startsWith('/api/')) calls.push(r.url());
  });
  return calls;
}

test('an invalid number shows its error as the field is left, with no request', async ({ page }) => {
  await toPassEdit(page);
  const calls = watchApi(page);
  const number = page.getByLabel('证件号码');
  await number.fill('110105194912310021');
  await number.blur();
  const message = page.locator('#doc_number-error');
  await expect(message).toHaveText('错误：证件号码最后一位校验码与前17位不符，请逐位核对');
  await expect(number).toHaveAttribute('aria-invalid', 'true');

  // Fixing it clears the error as it is typed.
  await number.fill(VALID_ID.toLowerCase());
  await expect(message).toHaveCount(0);
  await number.blur();
  await expect(number).toHaveValue(VALID_ID);
  await expect(page.getByText('已将小写 x 改为大写 X')).toBeVisible();
  expect(calls).toEqual([]);
});

test('an invalid submit sends nothing and focuses the summary', async ({ page }) => {
  await toPassEdit(page);
  const calls = watchApi(page);
  await page.getByLabel('证件号码').fill('650102209901011230');
  await page.getByLabel('姓名').fill('');
  await page.getByRole('button', { name: '保存', exact: true }).click();
  await expect(page.locator('.error-summary')).toBeFocused();
  await expect(page.locator('.error-summary li')).toHaveText(['证件号码中的出生日期晚于今天，请核对', '请填写姓名']);
  expect(calls).toEqual([]);
});
