// End-to-end smoke test: the real app in a real window (under Xvfb), driven through
// tauri-driver + WebKitWebDriver. Fails unless the window shows the schema version
// that the Rust core reports for the same database.
//
//   node e2e/smoke.mjs <app binary> <curator cli binary>
import { spawn, execFileSync } from "node:child_process";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { remote } from "webdriverio";

const [app, cli] = process.argv.slice(2);
if (!app || !cli) {
  console.error("usage: node e2e/smoke.mjs <app binary> <curator cli binary>");
  process.exit(2);
}

const dir = mkdtempSync(join(tmpdir(), "curator-e2e-"));
const db = join(dir, "curator.db");
const env = { ...process.env, CURATOR_DB: db };
// What Rust says, independently of the window.
const expected = JSON.parse(execFileSync(cli, ["--db", db, "status", "--json"], { env }).toString());

const driverBin = process.env.TAURI_DRIVER ?? "tauri-driver";
const driver = spawn(driverBin, ["--port", "4444"], { stdio: ["ignore", "inherit", "inherit"], env });
let passed = 0;
let failed = 0;
const check = (name, ok, detail) => {
  if (ok) passed++;
  else failed++;
  console.log(`${ok ? "ok" : "FAIL"} - ${name}${ok ? "" : `: ${detail}`}`);
};

let browser;
try {
  for (let i = 0; ; i++) {
    try {
      browser = await remote({
        hostname: "127.0.0.1",
        port: 4444,
        logLevel: "warn",
        connectionRetryCount: 0,
        capabilities: { "tauri:options": { application: app } },
      });
      break;
    } catch (e) {
      if (i >= 20) throw e;
      await new Promise((r) => setTimeout(r, 500));
    }
  }
  const version = await browser.$('[data-testid="schema-version"]');
  await version.waitForDisplayed({ timeout: 20_000 });
  const shown = (await version.getText()).trim();
  check("window shows the schema version from Rust", shown === String(expected.schema_version), `window shows "${shown}", Rust says ${expected.schema_version}`);
  const path = (await (await browser.$('[data-testid="db-path"]')).getText()).trim();
  check("window shows the database path from Rust", path === expected.db_path, `window shows "${path}", Rust says ${expected.db_path}`);

  // Keyboard: the sidebar buttons are reachable and switch panes.
  await (await browser.$("button=Providers")).click();
  const heading = await browser.$("h1=Providers");
  check("sidebar switches to Providers", await heading.isDisplayed(), "no Providers heading");
  if (process.env.E2E_SCREENSHOT) {
    await (await browser.$("button=Database")).click();
    await (await browser.$('[data-testid="schema-version"]')).waitForDisplayed();
    await browser.saveScreenshot(process.env.E2E_SCREENSHOT);
  }
} catch (e) {
  check("e2e session", false, e?.message ?? String(e));
} finally {
  await browser?.deleteSession().catch(() => {});
  driver.kill();
  rmSync(dir, { recursive: true, force: true });
}
console.log(`e2e: ${passed} passed, ${failed} failed`);
process.exit(failed === 0 && passed > 0 ? 0 : 1);
