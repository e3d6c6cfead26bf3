import { createHmac } from 'node:crypto';
import { expect, type Page, test } from '@playwright/test';
import { execFileSync } from 'node:child_process';
import { mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import jsQR from 'jsqr';

export const VALID_ID = '11010519491231002X';

export function jsOn(): boolean {
  return test.info().project.use.javaScriptEnabled !== false;
}

/** Opens a page; with JavaScript on, waits until the WASM client has hydrated it. */
export async function open(page: Page, path: string) {
  await page.goto(path);
  await hydrated(page);
}

/**
 * With JavaScript on, waits until the page's islands (its forms) are hydrated. A page
 * without an island loads no client at all, so there is nothing to wait for.
 */
export async function hydrated(page: Page) {
  if (jsOn() && (await page.locator('leptos-island').count()) > 0) {
    await expect(page.locator('body')).toHaveAttribute('data-hydrated', 'true');
  }
}

/** Every password the browser tests type starts with this, so the log scan can look for it. */
export const PASSWORD_MARK = 'E2e-密码-';

function random(n: number): number {
  return Math.floor(Math.random() * n);
}

/** A fresh valid resident ID number (GB 11643, ISO 7064 MOD 11-2 check character). */
export function newResidentId(): string {
  const year = 1970 + random(35);
  const month = String(1 + random(12)).padStart(2, '0');
  const day = String(1 + random(28)).padStart(2, '0');
  const body = `650102${year}${month}${day}${String(random(1000)).padStart(3, '0')}`;
  const weights = [7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2];
  const sum = [...body].reduce((s, c, i) => s + Number(c) * weights[i], 0);
  return body + '10X98765432'[sum % 11];
}

export interface Candidate {
  email: string;
  docNumber: string;
  name: string;
  password: string;
}

export function newCandidate(): Candidate {
  const tag = `${Date.now().toString(36)}${random(1e9).toString(36)}`;
  return {
    email: `e2e-${tag}@example.com`,
    docNumber: newResidentId(),
    name: '张三',
    password: `${PASSWORD_MARK}${tag}`,
  };
}

interface Mail {
  to: string[];
  subject: string;
  text: string;
}

/** The newest mail to `to` whose subject contains `subject`, from the mail catcher. */
export async function readMail(to: string, subject: string): Promise<Mail> {
  const base = process.env.MAIL_URL ?? 'http://127.0.0.1:2580';
  for (let i = 0; i < 100; i++) {
    const res = await fetch(`${base}/messages?to=${encodeURIComponent(to)}`);
    const mails = ((await res.json()) as Mail[]).filter((m) => m.subject.includes(subject));
    if (mails.length > 0) return mails[mails.length - 1];
    await new Promise((r) => setTimeout(r, 100));
  }
  throw new Error(`no mail to ${to} about ${subject}`);
}

/** The path and query of the first link into the site in a mail. */
export function linkIn(mail: Mail): string {
  const url = mail.text.match(/https?:\/\/\S+/)?.[0];
  if (!url) throw new Error(`no link in: ${mail.text}`);
  const u = new URL(url);
  return u.pathname + u.search;
}

export async function signUp(page: Page, c: Candidate) {
  await open(page, '/pass/sign-up');
  await page.getByLabel('电子邮箱').fill(c.email);
  await page.getByLabel('证件号码').fill(c.docNumber);
  await page.getByLabel('姓名').fill(c.name);
  await page.getByLabel('密码', { exact: true }).fill(c.password);
  await page.getByLabel('确认密码').fill(c.password);
  await page.getByRole('button', { name: '注册' }).click();
  await expect(page).toHaveURL(/\/pass\/sign-in\?notice=sign-up-sent$/);
  await hydrated(page);
}

export async function verifyByMail(page: Page, c: Candidate) {
  const mail = await readMail(c.email, '请验证您的电子邮箱');
  await open(page, linkIn(mail));
  await page.getByRole('button', { name: '验证我的邮箱' }).click();
  await expect(page.getByTestId('notice')).toHaveText('电子邮箱已验证。');
  await hydrated(page);
}

export async function signIn(page: Page, login: string, password: string) {
  await open(page, '/pass/sign-in');
  await page.getByLabel('电子邮箱或证件号码').fill(login);
  await page.getByLabel('密码').fill(password);
  await page.getByRole('button', { name: '登录', exact: true }).click();
}

/** A new candidate, signed up, verified by the mailed link and signed in. */
export async function signedInCandidate(page: Page): Promise<Candidate> {
  const c = newCandidate();
  await signUp(page, c);
  await verifyByMail(page, c);
  await signIn(page, c.email, c.password);
  await expect(page.getByTestId('signed-in-as')).toHaveText(`${c.name}，您好`);
  await hydrated(page);
  return c;
}

/** Home → 开始报名 → tick the agreement → 下一步, ending on the information step. */
export async function throughAgreement(page: Page): Promise<Candidate> {
  const c = await signedInCandidate(page);
  await open(page, '/');
  await page.getByRole('link', { name: '开始报名' }).click();
  await expect(page).toHaveURL(/\/register\/agreement$/);
  await hydrated(page);
  await page.getByLabel('我已阅读并接受').check();
  await page.getByRole('button', { name: '下一步' }).click();
  await expect(page).toHaveURL(/\/register\/info$/);
  await expect(page.getByRole('heading', { level: 1, name: '个人信息采集' })).toBeVisible();
  await hydrated(page);
  return c;
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

// ---- The staff console ----

/** The demo console accounts `server seed-demo` creates (server/src/seed.rs), enrolled. */
export const STAFF_PASSWORD = 'Demo-Staff-2026';
export interface StaffAccount {
  email: string;
  secret: string;
}
export const PROVINCE: StaffAccount = { email: 'province@ncre.example', secret: 'NCREDEMOPROVINCEADMINSECRETKEYAB' };
export const SITE: StaffAccount = { email: 'site650101@ncre.example', secret: 'NCREDEMOSITESTAFFSECRETKEYABCDEF' };

function base32(s: string): Buffer {
  const alphabet = 'ABCDEFGHIJKLMNOPQRSTUVWXYZ234567';
  let bits = '';
  for (const c of s) bits += alphabet.indexOf(c).toString(2).padStart(5, '0');
  const bytes = [];
  for (let i = 0; i + 8 <= bits.length; i += 8) bytes.push(parseInt(bits.slice(i, i + 8), 2));
  return Buffer.from(bytes);
}

/** RFC 6238 (HMAC-SHA1, 6 digits, 30 s), as an authenticator app computes it. */
export function totp(secret: string, step: number): string {
  const counter = Buffer.alloc(8);
  counter.writeBigUInt64BE(BigInt(step));
  const mac = createHmac('sha1', base32(secret)).update(counter).digest();
  const offset = mac[mac.length - 1] & 15;
  return String((mac.readUInt32BE(offset) & 0x7fffffff) % 1_000_000).padStart(6, '0');
}

export async function staffPasswordStep(page: Page, account: StaffAccount) {
  await open(page, '/staff/sign-in');
  await page.getByLabel('电子邮箱').fill(account.email);
  await page.getByLabel('密码').fill(STAFF_PASSWORD);
  await page.getByRole('button', { name: '下一步' }).click();
  await expect(page).toHaveURL(/\/staff\/second-factor$/);
}

/**
 * The code of the next time step (clocks drift by a step). Each code is accepted once per
 * account, and both browser projects sign the demo accounts in at once: when the other
 * one used this step's code first, the next step's code is typed once it comes.
 */
export async function staffCodeStep(page: Page, account: StaffAccount) {
  for (let attempt = 0; attempt < 4; attempt++) {
    const step = Math.floor(Date.now() / 1000 / 30) + 1;
    await page.getByLabel('动态验证码').fill(totp(account.secret, step));
    await page.getByRole('button', { name: '登录' }).click();
    await page.waitForLoadState();
    if (/\/staff$/.test(new URL(page.url()).pathname)) return;
    await expect(page.locator('.error-summary')).toBeVisible();
    const next = step * 30_000 - Date.now();
    await page.waitForTimeout(Math.max(next, 0) + 1_000);
  }
  await expect(page).toHaveURL(/\/staff$/);
}

/**
 * A page of a new browser context of this project: another person, with their own cookies
 * and their own address (the suite's server trusts 127.0.0.1 as a proxy; scripts/test), so
 * they do not spend the per-address limits of everyone else on 127.0.0.1.
 */
export async function freshPage(browser: import('@playwright/test').Browser, baseURL: string | undefined): Promise<Page> {
  const address = `198.51.100.${1 + random(250)}`;
  const context = await browser.newContext({
    javaScriptEnabled: jsOn(),
    baseURL,
    locale: 'zh-CN',
    extraHTTPHeaders: { 'X-Forwarded-For': address },
  });
  return context.newPage();
}

/**
 * The text of the QR code printed on a ticket PDF, read as a door's scanner would: the
 * page's images taken out with poppler's `pdfimages` (installed by the scripts; `-j` keeps
 * the photo a JPEG, so only the code is a PGM or PPM), enlarged with a white margin, and
 * decoded by jsQR.
 */
export function qrOfPdf(pdf: Buffer): string {
  const dir = mkdtempSync(path.join(tmpdir(), 'ncre-qr-'));
  try {
    writeFileSync(path.join(dir, 'ticket.pdf'), pdf);
    execFileSync('pdfimages', ['-j', '-f', '1', '-l', '1', path.join(dir, 'ticket.pdf'), path.join(dir, 'img')]);
    const images = readdirSync(dir).filter((n) => /\.p[gp]m$/.test(n));
    for (const name of images) {
      const code = decodeGray(readNetpbm(readFileSync(path.join(dir, name))));
      if (code) return code;
    }
    throw new Error(`no readable QR code on the first page (images: ${readdirSync(dir).join(', ')})`);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

/** A binary PGM (P5) or PPM (P6) of 8 bits, as grey: a PPM's red channel. */
function readNetpbm(file: Buffer): { width: number; height: number; grey: (x: number, y: number) => number } {
  // The magic, width, height and maxval, each separated by whitespace, then the pixels.
  const fields: string[] = [];
  let at = 0;
  while (fields.length < 4) {
    while (/\s/.test(String.fromCharCode(file[at]))) at++;
    const start = at;
    while (!/\s/.test(String.fromCharCode(file[at]))) at++;
    fields.push(file.subarray(start, at).toString('latin1'));
  }
  const channels = { P5: 1, P6: 3 }[fields[0]];
  if (!channels || fields[3] !== '255') throw new Error(`not an 8-bit PGM or PPM: ${fields.join(' ')}`);
  const [width, height] = [Number(fields[1]), Number(fields[2])];
  const pixels = file.subarray(at + 1);
  return { width, height, grey: (x, y) => pixels[(y * width + x) * channels] };
}

function decodeGray(img: { width: number; height: number; grey: (x: number, y: number) => number }): string | null {
  const quiet = 4;
  const scale = Math.max(1, Math.ceil(400 / img.width));
  const w = (img.width + 2 * quiet) * scale;
  const h = (img.height + 2 * quiet) * scale;
  const rgba = new Uint8ClampedArray(w * h * 4).fill(255);
  for (let y = 0; y < h; y++) {
    for (let x = 0; x < w; x++) {
      const sx = Math.floor(x / scale) - quiet;
      const sy = Math.floor(y / scale) - quiet;
      if (sx < 0 || sy < 0 || sx >= img.width || sy >= img.height) continue;
      const i = (y * w + x) * 4;
      rgba[i] = rgba[i + 1] = rgba[i + 2] = img.grey(sx, sy);
    }
  }
  return jsQR(rgba, w, h)?.data ?? null;
}
