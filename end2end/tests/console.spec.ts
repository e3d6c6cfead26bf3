import { expect, test, type Page } from '@playwright/test';
import fs from 'node:fs';
import path from 'node:path';
import {
  errorTexts,
  freshPage,
  hydrated,
  jsOn,
  linkIn,
  open,
  PROVINCE,
  readMail,
  SITE,
  staffCodeStep,
  staffPasswordStep,
  throughAgreement,
} from './helpers';

/** `YYYY-MM-DD HH:MM` in Beijing time, `days` from now. */
function beijing(days: number): string {
  const t = new Date(Date.now() + days * 86_400_000 + 8 * 3_600_000);
  return t.toISOString().slice(0, 16).replace('T', ' ');
}

async function signedInStaff(page: Page, account: typeof PROVINCE) {
  await staffPasswordStep(page, account);
  await staffCodeStep(page, account);
}

async function save(page: Page, button: string) {
  await page.getByRole('button', { name: button }).click();
}

test('the province adds a site and a subject, a site sets a fee, and candidates see both', async ({ page, browser, baseURL }) => {
  test.setTimeout(300_000);
  // Each browser project works on its own site and subject, so the two runs at once never
  // meet: the site code and the subject whose fee the site account sets.
  const code = `6501${jsOn() ? '9' : '8'}${Math.floor(Math.random() * 10)}`;
  const subject = jsOn() ? '66' : '36';
  const fee = jsOn() ? '88' : '86.50';

  // ---- 省级: a new site ----
  await signedInStaff(page, PROVINCE);
  await page.getByRole('link', { name: '考点与开考科目' }).click();
  await page.getByRole('link', { name: '新增考点' }).click();
  await expect(page).toHaveURL(/\/staff\/site\/new$/);
  await hydrated(page);
  await page.getByLabel('考点代码').fill(code);
  await page.getByLabel('考点名称').fill(`浏览器测试学院${code}`);
  await page.getByLabel('网上报名开始时间').fill(beijing(1));
  await page.getByLabel('网上报名结束时间').fill(beijing(-1));
  await page.getByLabel('本考点最多可报考科目数').fill('12');
  await page.getByLabel('照片背景颜色要求').selectOption('浅蓝色');
  await save(page, '新增考点');
  // Refused (by the shared rule in the browser with JavaScript, by the server without):
  // said beside each field and in the summary, the values kept.
  const { summary, inline } = await errorTexts(page);
  expect(summary).toEqual(['网上报名结束时间必须晚于开始时间', '本考点最多可报考科目数请填写1到10之间的整数']);
  expect(inline).toEqual(summary);
  await expect(page.getByLabel('考点代码')).toHaveValue(code);
  await page.getByLabel('网上报名开始时间').fill(beijing(-1));
  await page.getByLabel('网上报名结束时间').fill(beijing(30));
  await page.getByLabel('本考点最多可报考科目数').fill('2');
  // The new site reviews its registrations (网上审核) before they are paid.
  await page.getByLabel('报名须经考点网上审核后才能缴费').check();
  await save(page, '新增考点');
  await expect(page).toHaveURL(new RegExp(`/staff/site\\?code=${code}&notice=saved$`));
  await expect(page.getByTestId('notice')).toContainText('已保存');
  await expect(page.getByTestId('site-code')).toHaveText(code);
  await hydrated(page);

  // Beside the settings, the site's candidate pages (their own components) in a frame:
  // with JavaScript they follow the settings as typed, unsaved; without, they show them
  // once saved. Either way the preview's submissions are judged by what it shows.
  await page.getByLabel('本考点最多可报考科目数').fill('1');
  await page.getByLabel('考生必须填写学号（校内考点）').check();
  if (!jsOn()) {
    await save(page, '保存考点设置');
    await hydrated(page);
  }
  const frame = page.frameLocator('[data-testid=preview-frame]');
  await expect(frame.getByTestId('preview-settings')).toContainText(jsOn() ? '尚未保存' : '已保存的设置');
  await expect(frame.getByTestId('site-panel')).toContainText('本考点最多可报考科目1科');
  await expect(frame.getByTestId('site-needs')).toHaveText('学号');
  await expect(frame.getByTestId('site-background')).toHaveText('浅蓝色');
  await frame.getByTestId('preview-step-info').click();
  await frame.getByTestId('preview-info').getByRole('button', { name: '保存并继续' }).click();
  await expect(frame.getByTestId('preview-info').locator('.error-summary')).toContainText(
    '您报考的考点是校内考点，要求填写学号',
  );

  // A subject from the national catalogue, with a fee and a capacity.
  await page.getByRole('link', { name: '添加开考科目' }).click();
  await hydrated(page);
  await page.getByLabel('科目').selectOption('2级 24 C语言程序设计');
  await page.getByLabel('报名费（元）').fill('75');
  await page.getByLabel('容量（人）').fill('30');
  await save(page, '保存');
  await expect(page.getByTestId('offer-24').getByTestId('offer-fee')).toHaveText('¥75.00');
  await expect(page.getByTestId('offer-24').getByTestId('offer-remaining')).toHaveText('30');

  // ---- 考点老师: its own site only ----
  const site = await freshPage(browser, baseURL);
  await signedInStaff(site, SITE);
  for (const other of ['659028', code]) {
    const reply = await site.goto(`/staff/site?code=${other}`);
    expect(reply?.status()).toBe(403);
    await expect(site.locator('.problem-banner')).toContainText('没有权限');
  }
  await open(site, '/staff/site?code=650101');
  await site.getByTestId(`offer-${subject}`).getByRole('link', { name: '修改' }).click();
  await hydrated(site);
  await site.getByLabel('报名费（元）').fill('80.555');
  await save(site, '保存');
  await expect(site.locator('.error-summary li')).toHaveText([/最多两位小数/]);
  await hydrated(site);
  await site.getByLabel('报名费（元）').fill(fee);
  // The candidates' subject table in the preview frame: the new fee as typed (with
  // JavaScript), and as saved on the site page (both ways).
  const siteFrame = site.frameLocator('[data-testid=preview-frame]');
  const feeLine = siteFrame.getByTestId('site-panel').locator('tr', { has: siteFrame.locator(`#subject-${subject}`) });
  const shownFee = `¥${Number(fee).toFixed(2)}`;
  if (jsOn()) await expect(feeLine).toContainText(shownFee);
  await save(site, '保存');
  await expect(site.getByTestId(`offer-${subject}`).getByTestId('offer-fee')).toHaveText(shownFee);
  await expect(feeLine).toContainText(shownFee);
  await expect(siteFrame.getByTestId('preview-settings')).toContainText('已保存的设置');

  // ---- 考生: the new fee and the new site, on the next page they open ----
  const candidate = await freshPage(browser, baseURL);
  const c = await throughAgreement(candidate);
  const male = Number(c.docNumber[16]) % 2 === 1;
  await candidate.getByLabel('性别').selectOption(male ? '男' : '女');
  await candidate.getByLabel('民族').selectOption('汉族');
  await candidate.getByLabel('职业').selectOption('学生');
  await candidate.getByLabel('文化程度').selectOption('大学本科');
  await candidate.getByLabel('培训类型').selectOption('自学');
  await candidate.getByLabel('邮政编码').fill('830000');
  // Without JavaScript the new site's 学号 requirement is saved; optional anywhere.
  await candidate.locator('#student_no').fill('20250001');
  await candidate.getByRole('button', { name: '保存并继续' }).click();
  await expect(candidate).toHaveURL(/\/register\/subjects$/);
  // The site chooser answers a choice in place only once hydrated.
  await hydrated(candidate);
  for (const [siteLabel, row, shown] of [
    ['(650101)新疆大学', subject, `¥${Number(fee).toFixed(2)}`],
    [`(${code})浏览器测试学院${code}`, '24', '¥75.00'],
  ]) {
    await candidate.getByLabel('考点').selectOption(siteLabel);
    if (!jsOn()) await candidate.getByRole('button', { name: '查看考点科目' }).click();
    const line = candidate.getByTestId('site-panel').locator('tr', { has: candidate.locator(`#subject-${row}`) });
    await expect(line).toContainText(shown);
  }

  // ---- 网上审核: the candidate at the new site asks for review; the province sends it
  // back with a reason, the candidate reads it and asks again, the province approves ----
  await candidate.getByLabel('(24)C语言程序设计').check();
  await candidate.getByLabel('我保证以上信息是真实和准确的').check();
  await candidate.getByRole('button', { name: '提交' }).click();
  await expect(candidate.getByTestId('confirmation')).toContainText(`(${code})浏览器测试学院${code}`);
  await candidate.getByRole('button', { name: '确定' }).click();
  await expect(candidate).toHaveURL(/\/register\/photo$/);
  await hydrated(candidate);
  await candidate.getByLabel('选择照片文件').setInputFiles(path.join(__dirname, '..', 'fixtures', 'photo.jpg'));
  // With JavaScript the file is read and checked in the browser first.
  if (jsOn()) await expect(candidate.getByTestId('preview')).toBeVisible();
  await candidate.getByRole('button', { name: '上传照片' }).click();
  await expect(candidate.getByTestId('notice')).toHaveText('保存成功!');
  await open(candidate, '/register/status');
  await expect(candidate.getByTestId('review-state')).toHaveText('未申请');
  await expect(candidate.getByRole('link', { name: '支付', exact: true })).toHaveCount(0);
  await candidate.getByTestId('request-review').click();
  await expect(candidate.getByTestId('notice')).toContainText('已提交审核申请');
  await expect(candidate.getByTestId('review-state')).toHaveText('待审核');
  await expect(candidate.getByTestId('lock-state')).toHaveText('已锁定');

  await open(page, `/staff/review?site=${code}`);
  const card = page.getByTestId('review-card').filter({ hasText: c.name });
  await expect(card).toHaveCount(1);
  // The photo is served to the province's console (a staff-only address).
  await card.locator('img').scrollIntoViewIfNeeded();
  await expect.poll(() => card.locator('img').evaluate((i) => (i as HTMLImageElement).naturalWidth)).toBeGreaterThan(0);
  await expect(card).not.toContainText(c.docNumber);
  await card.getByText('退回（请考生修改）').click();
  await card.getByTestId('reject').click();
  // Refused on the card, beside its field and in the summary; nothing decided.
  await expect(page.getByTestId('review-card').filter({ hasText: c.name }).locator('.error-summary')).toContainText(
    '请至少选择一个退回原因',
  );
  const refusedCard = page.getByTestId('review-card').filter({ hasText: c.name });
  await refusedCard.getByLabel('照片背景颜色不符合本考点的要求').check();
  await refusedCard.getByLabel('补充说明（考生可以看到）').fill('请换浅蓝色背景的照片');
  await refusedCard.getByTestId('reject').click();
  await expect(page.getByTestId('notice')).toContainText('已退回');

  await open(candidate, '/register/status');
  await expect(candidate.getByTestId('review-state')).toHaveText('审核未通过');
  await expect(candidate.getByTestId('review-reasons')).toContainText('照片背景颜色不符合本考点的要求');
  await expect(candidate.getByTestId('review-note')).toContainText('请换浅蓝色背景的照片');
  await expect(candidate.getByTestId('lock-state')).toHaveText('未锁定');
  await candidate.getByTestId('request-review').click();
  await expect(candidate.getByTestId('review-state')).toHaveText('待审核');

  await open(page, `/staff/review?site=${code}`);
  await page.getByTestId('review-card').filter({ hasText: c.name }).getByTestId('approve').click();
  await expect(page.getByTestId('notice')).toContainText('已审核通过');
  await open(candidate, '/register/status');
  await expect(candidate.getByTestId('review-state')).toHaveText('审核通过');
  await expect(candidate.getByRole('link', { name: '支付', exact: true })).toBeVisible();
  expect((await readMail(c.email, '已通过考点审核')).text).toContain('缴费');

  // ---- The trail: both changes, with old and new values ----
  await open(page, '/staff/audit');
  await expect(page.getByTestId('audit-row').filter({ hasText: '新增考点' }).filter({ hasText: code })).toHaveCount(1);
  const feeRow = page.getByTestId('audit-row').filter({ hasText: `650101/${subject}` });
  await expect(feeRow.filter({ hasText: `报名费（元）：80 → ${fee}` }).first()).toContainText('site650101@ncre.example');

  // ---- 考生查询: the candidate found by the full document number, listed masked ----
  await page.getByRole('link', { name: '管理系统首页' }).click();
  await page.getByRole('link', { name: '考生查询' }).click();
  await page.getByLabel('姓名、报名号、电子邮箱、订单号，或证件号码（完整或如 6501**********002X）').fill(c.docNumber);
  await page.getByRole('button', { name: '查询' }).click();
  const found = page.getByTestId('candidate-row');
  await expect(found).toHaveCount(1);
  await expect(found).toContainText(`${c.docNumber.slice(0, 4)}**********${c.docNumber.slice(14)}`);
  await expect(found).not.toContainText(c.docNumber);
  await expect(page.getByTestId('candidate-total')).toContainText('共1名考生');
  await found.getByRole('link').click();
  await expect(page.getByTestId('candidate-summary')).toContainText(c.email);
  await page.getByRole('link', { name: '考生查询' }).click();
  await page.getByLabel('姓名、报名号、电子邮箱、订单号，或证件号码（完整或如 6501**********002X）').fill(c.email.toUpperCase());
  await page.getByRole('button', { name: '查询' }).click();
  await expect(page.getByTestId('candidate-row')).toHaveCount(1);

  // ---- 导出报名数据: the same filter as a file (a plain GET form: JavaScript on or off) ----
  await page.getByTestId('export-filtered').click();
  await expect(page.getByTestId('export-total')).toContainText('共1名考生');
  await page.getByLabel('CSV（UTF-8，可用 Excel 或 WPS 打开）').check();
  const [download] = await Promise.all([page.waitForEvent('download'), page.getByTestId('export-download').click()]);
  expect(download.suggestedFilename()).toMatch(/^ncre-registrations-\d{8}-\d{4}\.csv$|报名数据/);
  const exported = fs.readFileSync(await download.path(), 'utf8');
  expect(exported.split('\r\n')[0]).toBe('\ufeff报名号,姓名,证件类型,证件号码,考点,报考科目,缴费情况,审核状态');
  expect(exported).toContain(`${c.docNumber.slice(0, 4)}**********${c.docNumber.slice(14)}`);
  expect(exported).not.toContain(c.docNumber);

  // ---- 学籍库: the province uploads the new site's students (a plain multipart form:
  // JavaScript on or off); the bad row is reported and left out, the good one imported, and
  // that student finds the school fields filled in and only this site to choose ----
  const student = await freshPage(browser, baseURL);
  const s = await throughAgreement(student);
  const wrong = `${s.docNumber.slice(0, 17)}${s.docNumber[17] === '1' ? '2' : '1'}`;
  await open(page, `/staff/rosters?site=${code}`);
  await page.getByLabel('学籍库文件').setInputFiles({
    name: '学生名单.csv',
    mimeType: 'text/csv',
    buffer: Buffer.from(
      `证件类型,证件号码,姓名,院系,专业,班级,学号\r\n` +
        `身份证,${s.docNumber},${s.name},信息工程学院,计算机应用技术,计应2301班,20250002\r\n` +
        `身份证,${wrong},号码有误,信息工程学院,,,20250003\r\n`,
    ),
  });
  await page.getByRole('button', { name: '上传并检查' }).click();
  await expect(page.getByTestId('roster-problem')).toHaveCount(1);
  await expect(page.getByTestId('roster-problem')).toContainText('证件号码最后一位校验码与前17位不符');
  await expect(page.getByTestId('roster-problem')).not.toContainText(wrong);
  await page.getByTestId('roster-import').click();
  await expect(page.getByTestId('notice')).toContainText('学籍库已导入');
  await expect(page.getByTestId('roster-state')).toContainText('新增1人');
  await open(student, '/register/info');
  await expect(student.getByTestId('roster-hint')).toContainText(`(${code})浏览器测试学院${code}`);
  await expect(student.locator('#department')).toHaveValue('信息工程学院');
  await expect(student.locator('#student_no')).toHaveValue('20250002');
  await student.close();

  // ---- 考场编排: a room (refused first, by the shared rule with JavaScript and by the server
  // without), a batch, and the arrangement page's count ----
  await open(page, `/staff/rooms?site=${code}`);
  await hydrated(page);
  await page.getByLabel('机房名称').fill('一号机房');
  // The new site offers 24 alone.
  await page.getByLabel('座位数').fill('0');
  await page.getByLabel('科目代码').fill('24 99');
  await save(page, '添加');
  const refusedRoom = await errorTexts(page);
  expect(refusedRoom.summary).toEqual(['座位数请填写1到99之间的整数', '本考点没有开考科目99；可填写：24']);
  expect(refusedRoom.inline).toEqual(refusedRoom.summary);
  await expect(page.getByLabel('机房名称')).toHaveValue('一号机房');
  await page.getByLabel('座位数').fill('30');
  await page.getByLabel('科目代码').fill('24');
  await save(page, '添加');
  await expect(page.getByTestId('notice')).toBeVisible();
  await expect(page.getByTestId('room-1')).toContainText('一号机房');
  await page.getByRole('link', { name: '场次', exact: true }).click();
  await hydrated(page);
  await page.getByLabel('开始时间').fill('2025-03-29 09:00');
  await page.getByLabel('结束时间').fill('2025-03-29 10:30');
  await save(page, '添加');
  await expect(page.getByTestId('batch-1')).toContainText('2025-03-29 09:00 – 10:30');
  await page.getByRole('link', { name: '考场编排', exact: true }).click();
  await expect(page.getByTestId('arrange-summary')).toContainText('1个机房、1个场次');
  await expect(page.getByTestId('exam-room-0101')).toContainText('一号机房');
  // Re-arranging everyone needs the tick: refused beside it without.
  await page.getByRole('button', { name: '重新编排全部考生' }).click();
  await expect(page.locator('.field__error')).toContainText('请先勾选确认');
  await open(page, '/staff');

  // ---- 工作人员账号: a new account for the new site, its set-password link mailed ----
  const email = `laoshi-${code}@ncre.test`;
  await open(page, '/staff/accounts');
  await page.getByLabel('电子邮箱').fill(email);
  await page.getByLabel('姓名').fill('新考点老师');
  await page.getByLabel('身份').selectOption('考点老师（只管理一个考点）');
  await page.getByLabel('考点').selectOption(`(${code})浏览器测试学院${code}`);
  await page.getByRole('button', { name: '新增账号' }).click();
  await expect(page.getByTestId('notice')).toContainText('设置密码的链接已发到');
  await hydrated(page);
  await expect(page.getByTestId('staff-accounts')).toContainText(email);
  expect(linkIn(await readMail(email, '请设置您的密码'))).toMatch(/^\/staff\/set-password\?token=[0-9a-f]+$/);
  // 停用 and 启用 again, from the list (plain forms, the same with JavaScript on and off).
  const account = page.getByTestId('staff-account').filter({ hasText: email });
  await account.getByTestId('account-disable').click();
  await expect(page.getByTestId('notice')).toContainText('账号已停用');
  await expect(account.getByTestId('account-state')).toHaveText('已停用');
  await account.getByTestId('account-enable').click();
  await expect(page.getByTestId('notice')).toContainText('账号已启用');
  await expect(account.getByTestId('account-state')).toHaveText('正常');

  // ---- 预览: the site's candidate pages as configured; submitting stores nothing ----
  // One step a page (each loads the candidates' own bundle of that step), switched by its tabs.
  await open(site, '/staff/preview?site=650101');
  await expect(site.getByTestId('preview-banner')).toContainText('不保存任何内容');
  const infoPreview = site.getByTestId('preview-info');
  const subjectsPreview = site.getByTestId('preview-subjects');
  const row = subjectsPreview.locator('tr', { has: site.locator(`#subject-${subject}`) });
  await expect(row).toContainText(`¥${Number(fee).toFixed(2)}`);
  const seatsBefore = await row.getByTestId(`remaining-${subject}`).innerText();
  await site.getByTestId('preview-step-info').click();
  await hydrated(site);
  await infoPreview.getByLabel('邮政编码').fill('8300');
  if (jsOn()) {
    // Checked as typed, by the candidates' own rule, before anything is sent.
    await infoPreview.getByLabel('邮政编码').blur();
    await expect(infoPreview.locator('#postcode-error')).toContainText('邮政编码应为6位数字');
  }
  await infoPreview.getByRole('button', { name: '保存并继续' }).click();
  await expect(site.getByTestId('preview-info').locator('.error-summary')).toContainText('邮政编码应为6位数字');
  await expect(site.getByTestId('preview-banner')).toBeVisible();
  await site.getByTestId('preview-step-subjects').click();
  await hydrated(site);
  await site.locator(`#subject-${subject}`).check();
  await site.getByLabel('我保证以上信息是真实和准确的').check();
  await site.getByTestId('preview-subjects').getByRole('button', { name: '提交' }).click();
  await expect(site.getByTestId('confirmation')).toContainText('(650101)新疆大学');
  await site.getByRole('button', { name: '确定' }).click();
  await expect(site.getByTestId('notice')).toContainText('没有保存任何内容');
  await expect(site.getByTestId('preview-subjects').getByTestId(`remaining-${subject}`)).toHaveText(seatsBefore);

  // Put the seeded fee back for whoever runs next on this server.
  await open(site, `/staff/offer?site=650101&subject=${subject}`);
  await site.getByLabel('报名费（元）').fill('80');
  await save(site, '保存');
  await expect(site.getByTestId(`offer-${subject}`).getByTestId('offer-fee')).toHaveText('¥80.00');
});
