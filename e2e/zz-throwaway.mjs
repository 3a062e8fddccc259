import { startBrowser } from './webdriver.mjs';
import { axeViolations, formatViolations } from './axe.mjs';
const b = await startBrowser();
try {
  const base = 'http://127.0.0.1:8765';
  await b.go(base + '/good.html');
  console.log('lang', await b.exec('return document.documentElement.lang'));
  console.log('viewport', await b.exec('return [innerWidth, innerHeight, devicePixelRatio]'));
  let v = await axeViolations(b);
  console.log('good violations:', v.length, formatViolations(v));
  await b.type('#phone', '091 234 5678');
  await b.select('#c', '22918');
  const fs = await b.findAll('fieldset.question');
  const legend = await (await fs[0].find('legend')).text();
  const labels = await fs[0].findAll('label');
  for (const l of labels) if ((await l.text()) === 'Đúng') await l.click();
  console.log('legend', legend, 'checked', await b.exec('return document.getElementById("q1o2").checked'));
  await b.clickAndWait('form#f button');
  console.log('url after submit', await b.currentUrl());
  console.log('text', await b.text('#ket-qua'));
  await b.go(base + '/bad.html');
  v = await axeViolations(b);
  console.log('bad violations:', v.length, '\n' + formatViolations(v));
  try { await b.click('#nope'); } catch (e) { console.log('expected error:', e.message); }
  try { await b.go('http://127.0.0.1:1/'); } catch (e) { console.log('expected nav error:', e.message); }
} finally {
  await b.quit();
}
console.log('quit ok');
