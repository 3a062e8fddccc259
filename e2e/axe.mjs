// Accessibility scan with axe-core, injected into the current page over WebDriver.
//
// The axe source is sent as the body of the executed script itself (not as a <script> element),
// so the page's strict Content-Security-Policy does not block it.

import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';

const require = createRequire(import.meta.url);
const AXE_SOURCE = readFileSync(require.resolve('axe-core/axe.min.js'), 'utf8');

const RUN = `
  return window.axe.run(document, { resultTypes: ['violations'] }).then(function (r) {
    return r.violations.map(function (v) {
      return {
        id: v.id,
        impact: v.impact,
        help: v.help,
        helpUrl: v.helpUrl,
        nodes: v.nodes.map(function (n) { return { target: n.target, summary: n.failureSummary }; })
      };
    });
  });
`;

/** Run axe on the browser's current page; returns the list of violations (empty when clean). */
export async function axeViolations(browser) {
  return browser.exec(`${AXE_SOURCE}\n;${RUN}`);
}

/** Human-readable report of violations, one block per rule. */
export function formatViolations(violations) {
  return violations
    .map((v) => {
      const nodes = v.nodes.map((n) => `      ${JSON.stringify(n.target)}`).join('\n');
      return `  - ${v.id} (${v.impact}): ${v.help}\n    ${v.helpUrl}\n${nodes}`;
    })
    .join('\n');
}

/** Scan the current page and throw if axe finds any violation. */
export async function assertAccessible(browser, label) {
  // axe-core is a script and cannot run where page JavaScript is off; the same pages are
  // scanned by the walks that run with it on.
  if (browser.javascriptOff === true) return;
  const violations = await axeViolations(browser);
  if (violations.length > 0) {
    throw new Error(
      `axe found ${violations.length} accessibility violation(s) on ${label}:\n${formatViolations(violations)}`,
    );
  }
}
