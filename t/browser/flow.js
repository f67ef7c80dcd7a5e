// SPDX-License-Identifier: Apache-2.0
// The whole flow in a real browser (headless Chromium through
// playwright-core), printing TAP.  Started by t/browser.t, which sets:
//   PWRESET_BASE      http://localhost:PORT       the main server
//   PWRESET_STYLED    http://localhost:PORT2      the templates' server
//   PWRESET_MAIL_DIR  where the stand-in sendmail writes messages
//   PWRESET_SHOTS     where screenshots go
//   PWRESET_USER, PWRESET_EMAIL                   the account
'use strict';
const fs = require('fs');
const path = require('path');
const { chromium } = require('playwright-core');

const base = process.env.PWRESET_BASE;
const styled = process.env.PWRESET_STYLED;
const mailDir = process.env.PWRESET_MAIL_DIR;
const shots = process.env.PWRESET_SHOTS;
const user = process.env.PWRESET_USER;
const email = process.env.PWRESET_EMAIL;
const newPassword = 'a violet kettle sings at dawn';
const port = new URL(base).port;

let n = 0, failed = 0;
function ok(cond, name, diag) {
  n++;
  if (!cond) failed++;
  console.log(`${cond ? '' : 'not '}ok ${n} - ${name}`);
  if (!cond && diag !== undefined) console.log(`#   ${String(diag).replace(/\n/g, '\n#   ')}`);
}
const sleep = (ms) => new Promise((r) => setTimeout(r, ms));

// The newest message to `to`, written after `after`.
async function newestMail(to, after) {
  for (let i = 0; i < 100; i++) {
    const texts = fs.readdirSync(mailDir).filter((f) => f.endsWith('.eml'))
      .map((f) => path.join(mailDir, f))
      .filter((f) => fs.statSync(f).mtimeMs >= after)
      .sort().map((f) => fs.readFileSync(f, 'utf8'))
      .filter((t) => new RegExp(`^To: ${to.replace(/[.]/g, '\\.')}$`, 'm').test(t));
    if (texts.length) return texts.pop();
    await sleep(100);
  }
  return '';
}

async function shot(page, name) {
  fs.mkdirSync(shots, { recursive: true });
  await page.screenshot({ path: path.join(shots, `${name}.png`), fullPage: true });
}

(async () => {
  let browser;
  try {
    browser = await chromium.launch({
    executablePath: process.env.PWRESET_CHROMIUM || '/usr/bin/chromium',
    args: ['--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run',
           '--disable-background-networking', '--disable-component-update',
           '--disable-sync',
           // webmail.test and other names: another site, on this machine
           '--host-resolver-rules=MAP *.test 127.0.0.1'],
    });
    // 1. Ask for a link, as a person would.
    const ctx = await browser.newContext({ locale: 'en-US', viewport: { width: 1024, height: 700 } });
    const page = await ctx.newPage();
    const seen = [];
    page.on('framenavigated', (f) => { if (f === page.mainFrame()) seen.push(f.url()); });
    await page.goto(`${base}/reset/request`);
    ok(await page.getAttribute('#email', 'autocomplete') === 'email', 'the address field says autocomplete="email"');
    ok(await page.evaluate(() => document.activeElement && document.activeElement.id) === 'email',
       'the focus is in the address field');
    await shot(page, 'request');
    const before = Date.now() - 1000;
    await page.fill('#email', email);
    await Promise.all([page.waitForNavigation(), page.click('button[type=submit]')]);
    ok((await page.textContent('h1')) === 'Check your mail', 'asked: "Check your mail"');
    await shot(page, 'sent');

    // 2. The mail, and its link opened by a click on another site's page.
    const mail = await newestMail(email, before);
    const m = mail.match(/https?:\/\/\S+?token=[A-Za-z0-9._-]+/);
    ok(m, 'the mail holds a link');
    const link = m ? m[0] : `${base}/reset/link?token=missing`;
    const webmail = `http://webmail.test:${port}/webmail.html#${encodeURIComponent(link)}`;
    await page.goto(webmail);
    ok(new URL(page.url()).hostname === 'webmail.test', 'the webmail page is on another site (webmail.test)');
    seen.length = 0;
    await Promise.all([page.waitForURL(/\/reset\/update/), page.click('#link')]);
    ok(new URL(page.url()).pathname === '/reset/update', 'the click lands on the new-password form');
    const cookies = await ctx.cookies(`${base}/reset/update`);
    ok(cookies.some((c) => c.name === 'pwreset_form' && c.httpOnly && c.sameSite === 'Lax'),
       'the form cookie survived the cross-site click (HttpOnly, SameSite=Lax)',
       JSON.stringify(cookies.map((c) => c.name)));
    ok(!seen.some((u) => u.includes('token=')) && !page.url().includes('token'),
       'no address the browser showed after the click carries the token', seen.join(' '));
    ok(await page.getAttribute('#username', 'autocomplete') === 'username'
       && await page.getAttribute('#username', 'readonly') !== null
       && await page.inputValue('#username') === user,
       'the username: read-only, autocomplete="username", for password managers');
    ok(await page.getAttribute('#password', 'autocomplete') === 'new-password'
       && await page.getAttribute('#confirm', 'autocomplete') === 'new-password',
       'both password fields say autocomplete="new-password"');
    ok(await page.evaluate(() => document.activeElement && document.activeElement.id) === 'password',
       'the focus is in the new password field');
    await shot(page, 'update');

    // 3. A mismatch first: the problem is tied to its field.
    await page.fill('#password', newPassword);
    await page.fill('#confirm', 'not the same at all, sorry');
    await Promise.all([page.waitForNavigation(), page.click('button[type=submit]')]);
    ok(await page.getAttribute('#password', 'aria-invalid') === 'true'
       && await page.getAttribute('#password', 'aria-describedby') === 'problem'
       && /differ/.test(await page.textContent('#problem')),
       'a mismatch: said, and tied to the field (aria-invalid, aria-describedby)');
    await shot(page, 'update-problem');

    // 4. The new password, and a login with it through mod_authn_dbd.
    await page.fill('#password', newPassword);
    await page.fill('#confirm', newPassword);
    await Promise.all([page.waitForNavigation(), page.click('button[type=submit]')]);
    ok((await page.textContent('h1')) === 'Password changed', '"Password changed"');
    await shot(page, 'changed');
    const login = await browser.newContext({ httpCredentials: { username: user, password: newPassword } });
    const lp = await login.newPage();
    const res = await lp.goto(`${base}/private/`);
    ok(res.status() === 200, 'the new password opens a page protected by mod_authn_dbd', res.status());
    await login.close();
    const old = await browser.newContext({ httpCredentials: { username: user, password: 'old password of ' + user } });
    const op = await old.newPage();
    ok((await op.goto(`${base}/private/`)).status() === 401, 'the old one does not');
    await old.close();
    await ctx.close();

    // 5. A German browser.
    const de = await browser.newContext({ locale: 'de-DE' });
    const dp = await de.newPage();
    await dp.goto(`${base}/reset/request`);
    ok(await dp.getAttribute('html', 'lang') === 'de' && (await dp.textContent('h1')) === 'Passwort vergessen?',
       'a German browser gets German (lang="de")');
    await shot(dp, 'request-de');
    await de.close();

    // 6. A template in use.
    const st = await browser.newContext({ locale: 'en-US' });
    const sp = await st.newPage();
    const cspErrors = [];
    sp.on('console', (msg) => { if (/Content Security Policy/i.test(msg.text())) cspErrors.push(msg.text()); });
    await sp.goto(`${styled}/reset/request`);
    ok(await sp.getAttribute('main', 'data-template') === 'styled', 'the site\'s template is used');
    ok(await sp.evaluate(() => getComputedStyle(document.querySelector('header')).backgroundColor) === 'rgb(90, 62, 43)',
       'its <style> applies (allowed by its hash)', cspErrors.join(' '));
    ok(cspErrors.length === 0, 'no Content-Security-Policy violation', cspErrors.join(' '));
    await shot(sp, 'request-styled');
    await st.close();

    // 7. A phone: nothing to scroll sideways.
    const phone = await browser.newContext({ viewport: { width: 360, height: 640 }, deviceScaleFactor: 2,
                                             isMobile: true, hasTouch: true, locale: 'en-US' });
    const pp = await phone.newPage();
    for (const [name, url] of [['request', `${base}/reset/request`], ['invalid', `${base}/reset/update`],
                               ['styled', `${styled}/reset/request`]]) {
      await pp.goto(url);
      const [sw, cw] = await pp.evaluate(() => [document.documentElement.scrollWidth, document.documentElement.clientWidth]);
      ok(sw <= cw, `on a phone, ${name}: no sideways scrolling (${sw} <= ${cw})`);
      await shot(pp, `phone-${name}`);
    }
    await phone.close();
  } catch (e) {
    ok(false, 'the browser run went through', e.stack || e);
  } finally {
    if (browser) await browser.close();
  }
  console.log(`1..${n}`);
  process.exit(failed ? 1 : 0);
})();
