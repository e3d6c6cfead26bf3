import { expect, test, type Browser, type Page } from '@playwright/test';
import {
  errorTexts,
  freshPage,
  hydrated,
  jsOn,
  open,
  qrOfPdf,
  signedInCandidate,
  SITE,
  staffCodeStep,
  staffPasswordStep,
  throughAgreement,
  type Candidate,
} from './helpers';
import { readFileSync } from 'node:fs';
import path from 'node:path';

const fixture = (name: string) => path.join(__dirname, '..', 'fixtures', name);

test('home shows the session, province and 开始报名', async ({ page }) => {
  await open(page, '/');
  await expect(page.getByText('报名前请先登录通行证')).toBeVisible();
  const c = await signedInCandidate(page);
  await open(page, '/');
  await expect(page.getByTestId('home-masked-number')).toHaveText(`${c.docNumber.slice(0, 4)}**********${c.docNumber.slice(14)}`);
  await expect(page.getByRole('heading', { name: '欢迎使用NCRE考试报名系统' })).toBeVisible();
  await expect(page.getByText('第75次 2025年03月全国计算机等级考试')).toBeVisible();
  await expect(page.getByText('(65)新疆维吾尔自治区')).toBeVisible();
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

/** The required choices of the information step; `rightGender` false picks the other one. */
async function fillBasics(page: Page, c: Candidate, rightGender: boolean) {
  const male = Number(c.docNumber[16]) % 2 === 1;
  await page.getByLabel('性别').selectOption(male === rightGender ? '男' : '女');
  await page.getByLabel('民族').selectOption('汉族');
  await page.getByLabel('职业').selectOption('学生');
  await page.getByLabel('文化程度').selectOption('大学本科');
  await page.getByLabel('培训类型').selectOption('自学');
}

/** The information step: a wrong gender and postcode first (kept, explained), then fixed. */
async function fillInformation(page: Page, c: Candidate) {
  await expect(page.getByTestId('info-masked-number')).toHaveText(`${c.docNumber.slice(0, 4)}**********${c.docNumber.slice(14)}`);
  // Birth date and gender come pre-filled from the document number.
  const born = `${c.docNumber.slice(6, 10)}-${c.docNumber.slice(10, 12)}-${c.docNumber.slice(12, 14)}`;
  await expect(page.getByLabel('出生日期')).toHaveValue(born);
  const male = Number(c.docNumber[16]) % 2 === 1;
  await fillBasics(page, c, false);
  await page.getByLabel('邮政编码').fill('8300');
  await page.getByRole('button', { name: '保存并继续' }).click();
  await expect(page.locator('.error-summary')).toBeFocused();
  const { summary, inline } = await errorTexts(page);
  expect(summary).toEqual([`性别与证件号码不符：证件号码表示的性别为${male ? '男' : '女'}`, '邮政编码应为6位数字']);
  expect(inline).toEqual(summary);
  await expect(page).toHaveTitle(/^错误：个人信息采集/);
  await expect(page.getByLabel('邮政编码')).toHaveValue('8300');
  await page.getByLabel('性别').selectOption(male ? '男' : '女');
  await page.getByLabel('邮政编码').fill('830000');
  await page.getByRole('button', { name: '保存并继续' }).click();
  await expect(page).toHaveURL(/\/register\/subjects$/);
  await hydrated(page);
}

/** Chooses site 650101 and the given subjects, then confirms (dialog or page). */
async function chooseSubjects(page: Page, subjects: string[]) {
  await page.getByLabel('考点').selectOption('(650101)新疆大学');
  if (!jsOn()) await page.getByRole('button', { name: '查看考点科目' }).click();
  await expect(page.getByTestId('site-panel')).toContainText('本考点最多可报考科目');
  for (const s of subjects) await page.getByLabel(s).check();
  await page.getByRole('button', { name: '提交' }).click();
  // The declaration is required: refused, choice kept.
  await expect(page.locator('.error-summary li')).toHaveText(['请勾选“我保证以上信息是真实和准确的”后再提交']);
  for (const s of subjects) await expect(page.getByLabel(s)).toBeChecked();
  await page.getByLabel('我保证以上信息是真实和准确的').check();
  await page.getByRole('button', { name: '提交' }).click();
  const confirmation = page.getByTestId('confirmation');
  await expect(confirmation).toContainText('(650101)新疆大学');
  await expect(page.getByText('将打印在合格证书上')).toBeVisible();
  for (const s of subjects) await expect(page.getByTestId('added')).toContainText(s);
  await page.getByRole('button', { name: '确定' }).click();
  await expect(page).toHaveURL(/\/register\/photo$/);
  await hydrated(page);
}

test('the whole journey: information, subjects with confirmation, photo, registration info, delete', async ({ page }) => {
  test.setTimeout(90_000);
  const c = await throughAgreement(page);
  await fillInformation(page, c);
  await chooseSubjects(page, ['(14)计算机基础及WPS Office应用', '(24)C语言程序设计']);

  // Bad photos are refused with the rule's words; nothing is saved.
  await page.getByLabel('选择照片文件').setInputFiles(fixture('fake.jpg'));
  if (!jsOn()) await page.getByRole('button', { name: '上传照片' }).click();
  await expect(page.locator('.error-summary li')).toHaveText(['所选文件是PNG图片，不是JPG格式。请用图片工具另存为JPG格式后重新选择']);
  await page.getByLabel('选择照片文件').setInputFiles(fixture('truncated.jpg'));
  if (!jsOn()) await page.getByRole('button', { name: '上传照片' }).click();
  await expect(page.locator('.error-summary li')).toHaveText(['照片文件不完整或已损坏，请重新选择文件']);
  await expect(page.getByTestId('saved-photo')).toHaveCount(0);

  await page.getByLabel('选择照片文件').setInputFiles(fixture('photo.jpg'));
  if (jsOn()) await expect(page.getByTestId('preview')).toBeVisible();
  await page.getByRole('button', { name: '上传照片' }).click();
  await expect(page.getByTestId('notice')).toHaveText('保存成功!');
  await expect(page.getByTestId('saved-photo')).toBeVisible();

  await page.getByRole('link', { name: '下一步：查看报名信息' }).click();
  await expect(page).toHaveURL(/\/register\/status$/);
  const table = page.getByTestId('subject-table');
  await expect(table).toContainText('(14)计算机基础及WPS Office应用');
  await expect(table).toContainText('未支付');
  await expect(page.getByTestId('deadline')).toContainText('自动删除');
  await expect(page.getByTestId('lock-state')).toHaveText('未锁定');
  await expect(page.getByText('照片信息采集')).toBeVisible();
  await expect(page.locator('body')).not.toContainText(c.docNumber);

  await open(page, '/');
  await expect(page.getByTestId('home-site')).toHaveText('(650101)新疆大学');
  await expect(page.getByTestId('home-photo')).toHaveText('已上传');
  await expect(page.getByTestId('home-subjects')).toHaveText('已报考2科');

  // Modify: drop one subject (confirmation says it is cancelled).
  await open(page, '/register/subjects');
  await page.getByLabel('(24)C语言程序设计').uncheck();
  await page.getByLabel('我保证以上信息是真实和准确的').check();
  await page.getByRole('button', { name: '提交' }).click();
  await expect(page.getByTestId('cancelled')).toContainText('(24)C语言程序设计');
  await page.getByRole('button', { name: '确定' }).click();
  await expect(page).toHaveURL(/\/register\/photo$/);

  // Delete: everything goes.
  await open(page, '/register/status');
  await page.getByRole('link', { name: '删除报名信息' }).click();
  await page.getByRole('button', { name: '确认删除' }).click();
  await expect(page.getByTestId('notice')).toHaveText('报名信息已删除，所报科目的名额已退回。');
  await expect(page.getByTestId('registration-status')).toHaveText('未报名');
});

/** A fresh candidate on the subjects step, looking at site 650101's subject table. */
async function toSubjectsAt650101(page: Page) {
  const c = await throughAgreement(page);
  await fillBasics(page, c, true);
  await page.getByRole('button', { name: '保存并继续' }).click();
  await expect(page).toHaveURL(/\/register\/subjects$/);
  await hydrated(page);
  await page.getByLabel('考点').selectOption('(650101)新疆大学');
  if (!jsOn()) await page.getByRole('button', { name: '查看考点科目' }).click();
}

/** A fresh candidate on the photo step, holding `subject` (a label) at 650101. */
async function holding(page: Page, subject: string) {
  await toSubjectsAt650101(page);
  await page.getByLabel(subject).check();
  await page.getByLabel('我保证以上信息是真实和准确的').check();
  await page.getByRole('button', { name: '提交' }).click();
  await page.getByRole('button', { name: '确定' }).click();
  await expect(page).toHaveURL(/\/register\/photo$/);
  await hydrated(page);
}

/** photo.jpg with 40 comment segments of 65,000 bytes: a JPEG of 2.7 MB. */
function overTwoMegabytes(): { name: string; mimeType: string; buffer: Buffer } {
  const photo = readFileSync(fixture('photo.jpg'));
  const parts: Buffer[] = [photo.subarray(0, 2)];
  for (let i = 0; i < 40; i++) {
    const header = Buffer.from([0xff, 0xfe, 0, 0]);
    header.writeUInt16BE(65_002, 2);
    parts.push(header, Buffer.alloc(65_000, 0x79));
  }
  parts.push(photo.subarray(2));
  return { name: 'big.jpg', mimeType: 'image/jpeg', buffer: Buffer.concat(parts) };
}

test('bad photos get a clear message and change nothing; GPS data is stripped', async ({ page }) => {
  test.setTimeout(90_000);
  await holding(page, '(14)计算机基础及WPS Office应用');
  const uploads: string[] = [];
  page.on('request', (r) => {
    if (r.method() === 'POST' && new URL(r.url()).pathname === '/api/photo') uploads.push(r.url());
  });
  const cases: Array<[string | ReturnType<typeof overTwoMegabytes>, string]> = [
    [fixture('fake.jpg'), '所选文件是PNG图片，不是JPG格式。请用图片工具另存为JPG格式后重新选择'],
    [fixture('truncated.jpg'), '照片文件不完整或已损坏，请重新选择文件'],
    [fixture('bomb.jpg'), '照片尺寸过大（60000×60000像素），宽和高都不能超过4000像素'],
    [fixture('square.jpg'), '照片宽高比例应为3:4（竖版），所选照片为480×480像素，请裁剪后重新选择'],
    [fixture('small.jpg'), '照片尺寸太小（96×128像素），应至少为144×192像素（宽×高）'],
    [overTwoMegabytes(), '上传的文件超过2MB，已拒绝。请选择不大于200KB的JPEG证件照'],
  ];
  for (const [file, message] of cases) {
    await page.getByLabel('选择照片文件').setInputFiles(file);
    if (!jsOn()) await page.getByRole('button', { name: '上传照片' }).click();
    await expect(page.locator('.error-summary li')).toHaveText([message]);
    await expect(page.locator('#photo-error')).toHaveText(`错误：${message}`);
    await expect(page.getByTestId('saved-photo')).toHaveCount(0);
  }
  // With JavaScript, none of them was sent.
  expect(uploads).toEqual([]);

  await page.getByLabel('选择照片文件').setInputFiles(fixture('exif-gps.jpg'));
  await page.getByRole('button', { name: '上传照片' }).click();
  await expect(page.getByTestId('notice')).toHaveText('保存成功!');
  const stored = await (await page.request.get('/register/photo/image')).body();
  expect(stored.subarray(0, 3).toString('hex')).toBe('ffd8ff');
  expect(stored.includes('GPS')).toBe(false);
  expect(stored.includes('Exif')).toBe(false);
});

/** A fresh candidate in another browser context takes one seat of (42)数据库工程师 at 650101. */
async function someoneElseTakesSubject42(browser: Browser) {
  const context = await browser.newContext({ javaScriptEnabled: jsOn(), locale: 'zh-CN' });
  await holding(await context.newPage(), '(42)数据库工程师');
  await context.close();
}

test('seats left stay current while the candidate looks at the table', async ({ page, browser }) => {
  test.setTimeout(90_000);
  await toSubjectsAt650101(page);
  const left = page.getByTestId('remaining-42');
  await expect(left).toHaveText(/^\d+$/);
  const before = Number(await left.textContent());

  await someoneElseTakesSubject42(browser);

  if (jsOn()) {
    // Coming back to the tab refreshes the numbers in place; nothing typed is lost.
    await page.getByLabel('(14)计算机基础及WPS Office应用').check();
    await page.evaluate(() => window.dispatchEvent(new Event('focus')));
    await expect.poll(async () => Number(await left.textContent())).toBeLessThan(before);
    await expect(page.getByLabel('(14)计算机基础及WPS Office应用')).toBeChecked();
  } else {
    // Without JavaScript the page is as current as its last load.
    await page.reload();
    await expect.poll(async () => Number(await left.textContent())).toBeLessThan(before);
  }
});

test('a confirmation left open while another tab changed the choice cannot save over it', async ({ page }) => {
  test.setTimeout(90_000);
  const [wps, ms, c] = ['(14)计算机基础及WPS Office应用', '(15)计算机基础及MS Office应用', '(24)C语言程序设计'];
  await holding(page, wps);
  // Tab A asks to add MS Office; its confirmation (dialog or page) cancels nothing.
  await open(page, '/register/subjects');
  await page.getByLabel(ms).check();
  await page.getByLabel('我保证以上信息是真实和准确的').check();
  await page.getByRole('button', { name: '提交' }).click();
  await expect(page.getByTestId('added')).toContainText(ms);
  await expect(page.getByTestId('cancelled')).toHaveText('无');
  // Meanwhile tab B, the same candidate, swaps WPS for C语言.
  const tabB = await page.context().newPage();
  await open(tabB, '/register/subjects');
  await tabB.getByLabel(wps).uncheck();
  await tabB.getByLabel(c).check();
  await tabB.getByLabel('我保证以上信息是真实和准确的').check();
  await tabB.getByRole('button', { name: '提交' }).click();
  await tabB.getByRole('button', { name: '确定' }).click();
  await expect(tabB).toHaveURL(/\/register\/photo$/);
  await tabB.close();

  // Tab A's 确定 would now cancel C语言, which its confirmation never listed: refused.
  await page.getByRole('button', { name: '确定' }).click();
  await expect(page.locator('.error-summary li')).toHaveText([/发生了变化，本次提交未保存/]);
  await hydrated(page);
  await expect(page.getByLabel(ms)).toBeChecked();

  // Submitted again, the confirmation is worked out from what is held now, and saves.
  await page.getByLabel('我保证以上信息是真实和准确的').check();
  await page.getByRole('button', { name: '提交' }).click();
  await expect(page.getByTestId('cancelled')).toContainText(c);
  await page.getByRole('button', { name: '确定' }).click();
  await expect(page).toHaveURL(/\/register\/photo$/);
  await open(page, '/register/status');
  const table = page.getByTestId('subject-table');
  await expect(table).toContainText(ms);
  await expect(table).toContainText(wps);
  await expect(table).not.toContainText(c);
});

test('paying: the confirmation, the sandbox platform, and back to 已支付 with the registration locked; then 编排, the ticket, the sign-in sheet and 检录', async ({ page, browser, baseURL }) => {
  test.setTimeout(180_000);
  await holding(page, '(14)计算机基础及WPS Office应用');
  await page.getByLabel('选择照片文件').setInputFiles(fixture('photo.jpg'));
  await page.getByRole('button', { name: '上传照片' }).click();
  await expect(page.getByTestId('notice')).toHaveText('保存成功!');

  await open(page, '/register/status');
  await page.getByRole('link', { name: '支付', exact: true }).click();
  await expect(page).toHaveURL(/\/register\/pay$/);
  await hydrated(page);
  await expect(page.getByTestId('pay-table')).toContainText('(14)计算机基础及WPS Office应用');
  await expect(page.getByTestId('total')).toHaveText('合计：¥30.00');
  // The confirmation box is required, in the same words with JavaScript on and off.
  await page.getByRole('button', { name: '去支付' }).click();
  await expect(page.locator('.error-summary li')).toHaveText(['请核对报考信息，并勾选确认后再去支付']);
  await page.getByLabel(/我已核对以上报考信息准确无误/).check();
  await page.getByRole('button', { name: '去支付' }).click();

  // The sandbox platform's cashier: purpose, candidate, amount; pay by WeChat.
  await expect(page).toHaveTitle(/NCRE收银台/);
  await expect(page.locator('body')).toContainText('第75次NCRE考试费');
  await expect(page.locator('body')).toContainText('¥30.00');
  await page.getByLabel('微信支付').check();
  await page.getByRole('button', { name: '确认支付' }).click();
  await expect(page.locator('h1')).toHaveText('支付成功');
  await page.getByRole('link', { name: '返回报名系统' }).click();

  await expect(page).toHaveURL(/\/register\/payment$/);
  await expect(page.getByTestId('money')).toContainText('已缴费');
  await expect(page.getByTestId('money')).toContainText('微信支付');
  await open(page, '/register/status');
  await expect(page.getByTestId('subject-table')).toContainText('已支付');
  await expect(page.getByTestId('lock-state')).toHaveText('已锁定');
  for (const step of ['报考科目缴费', '完成报名']) {
    await expect(page.locator('.step-chain__step--done', { hasText: step })).toHaveCount(1);
  }
  await expect(page.getByRole('link', { name: '修改报名信息' })).toHaveCount(0);

  // ---- 考场编排 by the site's staff, then 准考证, the sign-in sheet and 检录 ----
  // Each browser project adds its own room and batch (another day), so the two runs at once
  // never refuse each other; 编排 places every paid subject of the site, theirs included.
  const staff = await freshPage(browser, baseURL);
  await staffPasswordStep(staff, SITE);
  await staffCodeStep(staff, SITE);
  const tag = `${jsOn() ? 'J' : 'N'}${Math.floor(Math.random() * 1e6)}`;
  await open(staff, '/staff/rooms?site=650101');
  await hydrated(staff);
  await staff.getByLabel('机房名称').fill(`浏览器机房${tag}`);
  await staff.getByLabel('座位数').fill('30');
  await staff.getByRole('button', { name: '添加' }).click();
  await expect(staff.getByTestId('notice')).toBeVisible();
  await open(staff, '/staff/batches?site=650101');
  await hydrated(staff);
  await staff.getByLabel('开始时间').fill(jsOn() ? '2025-03-30 09:00' : '2025-03-31 09:00');
  await staff.getByLabel('结束时间').fill(jsOn() ? '2025-03-30 10:30' : '2025-03-31 10:30');
  await staff.getByRole('button', { name: '添加' }).click();
  // A batch of that day may be there from an earlier run on this database: either is fine.
  await expect(staff.getByTestId('notice').or(staff.locator('.field__error'))).toBeVisible();
  await open(staff, '/staff/arrange?site=650101');
  // The other project's run may have arranged this candidate already (then nothing waits).
  const run = staff.getByRole('button', { name: '编排待编排的考生' });
  if (await run.isEnabled()) {
    await run.click();
    await expect(staff.getByTestId('notice')).toBeVisible();
  }

  // The candidate's ticket: printable from the print start (long past), a PDF download.
  await open(page, '/register/status');
  await expect(page.getByTestId('ticket-state')).toContainText('可打印');
  const [ticket] = await Promise.all([page.waitForEvent('download'), page.getByTestId('ticket-download').click()]);
  const name = ticket.suggestedFilename();
  expect(name).toMatch(/^zkz-14\d{14}\.pdf$/);
  const file = readFileSync((await ticket.path())!);
  expect(file.subarray(0, 5).toString()).toBe('%PDF-');
  const number = name.slice(4, 20);

  // The staff's sign-in sheet of that 考场.
  await open(staff, '/staff/arrange?site=650101');
  const room = staff.getByTestId(`exam-room-${number.slice(10, 14)}`);
  const [sheet] = await Promise.all([staff.waitForEvent('download'), room.getByTestId('sign-in-sheet').click()]);
  expect(sheet.suggestedFilename()).toBe(`650101-${number.slice(10, 14)}-sign-in.pdf`);
  expect(readFileSync((await sheet.path())!).subarray(0, 5).toString()).toBe('%PDF-');

  // 检录: the number typed at the door checks the candidate in; a second time says so.
  await open(staff, '/staff/door?site=650101');
  await staff.getByLabel('准考证号').fill(number);
  await staff.getByRole('button', { name: '签到' }).click();
  await expect(staff.getByTestId('notice')).toContainText('签到成功');
  await expect(staff.getByTestId('door-card')).toContainText(number);
  await staff.getByLabel('准考证号').fill(number);
  await staff.getByRole('button', { name: '签到' }).click();
  await expect(staff.getByTestId('notice')).toContainText('这张准考证已经签到过');

  // The camera (with JavaScript; Chromium here has no QR reader, so the page stands in one
  // that sees what it is given): the QR code read off the downloaded ticket is checked on the
  // device with the public key, then sent, and the server finds this ticket checked in; a
  // forged code is refused on the device in the server's words and never sent.
  if (jsOn()) {
    const genuine = qrOfPdf(file);
    expect(genuine).toMatch(new RegExp(`^NCRE1\\.${number}\\.\\d+\\.[0-9A-F]{16}\\.[0-9A-F]{128}$`));
    const camera = async (code: string) => {
      const door = await staff.context().newPage();
      await door.addInitScript((seen: string) => {
        (window as unknown as { BarcodeDetector: unknown }).BarcodeDetector = class {
          async detect() {
            return [{ rawValue: seen }];
          }
        };
        Object.defineProperty(navigator, 'mediaDevices', {
          configurable: true,
          value: { getUserMedia: async () => new MediaStream() },
        });
      }, code);
      await open(door, '/staff/door?site=650101');
      await hydrated(door);
      await door.getByTestId('door-camera').click();
      return door;
    };
    const checked = await camera(genuine);
    await expect(checked.getByTestId('notice')).toContainText('这张准考证已经签到过');
    await expect(checked.getByTestId('door-card')).toContainText(number);
    await checked.close();
    // One changed digit of the signature: the shape still parses, the signature does not hold.
    const last = genuine.at(-1) === '0' ? '1' : '0';
    const forged = await camera(genuine.slice(0, -1) + last);
    await expect(forged.getByTestId('door-camera-refused')).toContainText('二维码验证失败');
    await expect(forged.getByTestId('notice')).toHaveCount(0);
    await expect(forged.locator('.field__error')).toHaveCount(1);
    await forged.close();
  } else {
    await expect(staff.getByTestId('door-camera')).toHaveCount(0);
  }
  await staff.close();
});
