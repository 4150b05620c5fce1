// End-to-end smoke test: the real app in a real window (under Xvfb), driven through
// tauri-driver + WebKitWebDriver. Fails unless the window shows the schema version
// that the Rust core reports for the same database. A second session opens a database
// of the earlier reader and upgrades it from the window.
//
//   node e2e/smoke.mjs <app binary> <curator cli binary>
import { spawn, execFileSync } from "node:child_process";
import { copyFileSync, existsSync, mkdtempSync, readFileSync, rmSync } from "node:fs";
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

const legacyFixture = new URL(
  "../../crates/curator-core/tests/fixtures/legacy-db/v7-schema-v2-separate-thinking-host-9824235.sqlite",
  import.meta.url,
);

async function session(args) {
  for (let i = 0; ; i++) {
    try {
      return await remote({
        hostname: "127.0.0.1",
        port: 4444,
        logLevel: "warn",
        connectionRetryCount: 0,
        capabilities: { "tauri:options": { application: app, args } },
      });
    } catch (e) {
      if (i >= 20) throw e;
      await new Promise((r) => setTimeout(r, 500));
    }
  }
}

let browser;
try {
  browser = await session([]);
  // The app reopens the section used last time (a UI preference): go to Database.
  await (await browser.$("button=Database")).click();
  const version = await browser.$('[data-testid="schema-version"]');
  await version.waitForDisplayed({ timeout: 20_000 });
  const shown = (await version.getText()).trim();
  check("window shows the schema version from Rust", shown === String(expected.schema_version), `window shows "${shown}", Rust says ${expected.schema_version}`);
  const path = (await (await browser.$('[data-testid="db-path"]')).getText()).trim();
  check("window shows the database path from Rust", path === expected.db_path, `window shows "${path}", Rust says ${expected.db_path}`);

  if (process.env.E2E_SCREENSHOT) await browser.saveScreenshot(process.env.E2E_SCREENSHOT);

  // The sidebar switches panes (and the choice is remembered for the next start).
  await (await browser.$("button=Providers")).click();
  // A section's code is loaded when it is first opened: wait for it, briefly.
  const heading = await browser.$("h1=Providers");
  const shownSoon = await heading.waitForDisplayed({ timeout: 5_000 }).then(() => true, () => false);
  check("sidebar switches to Providers", shownSoon, "no Providers heading");
  await browser.deleteSession();
  browser = undefined;

  // A database of the earlier reader: the window says what it found, asks, upgrades.
  const legacy = join(dir, "rss-reader.db");
  copyFileSync(legacyFixture, legacy);
  const original = readFileSync(legacy);
  browser = await session(["--db", legacy]);
  await (await browser.$("button=Providers")).waitForDisplayed({ timeout: 20_000 });
  check("the section used last time is reopened", (await (await browser.$("button=Providers")).getAttribute("aria-current")) === "page", "Providers is not the current section");
  await (await browser.$("button=Database")).click();
  const shape = await browser.$('[data-testid="detected-shape"]');
  await shape.waitForDisplayed({ timeout: 20_000 });
  check("window names the legacy shape", (await shape.getText()).trim() === "V7", await shape.getText());
  check("nothing is written before the user agrees", Buffer.compare(original, readFileSync(legacy)) === 0, "file changed");
  await (await browser.$("button=Upgrade this database")).click();
  const backup = await browser.$('[data-testid="backup-path"]');
  await backup.waitForDisplayed({ timeout: 30_000 });
  const backupPath = (await backup.getText()).trim();
  check("the backup named in the window exists", existsSync(backupPath), backupPath);
  const after = await browser.$('[data-testid="schema-version"]');
  await after.waitForDisplayed({ timeout: 20_000 });
  const upgraded = JSON.parse(execFileSync(cli, ["--db", legacy, "status", "--json"], { env }).toString());
  check("after the upgrade the window shows Rust's schema version", (await after.getText()).trim() === String(upgraded.schema_version), await after.getText());
  if (process.env.E2E_UPGRADE_SCREENSHOT) await browser.saveScreenshot(process.env.E2E_UPGRADE_SCREENSHOT);
} catch (e) {
  check("e2e session", false, e?.message ?? String(e));
  const shot = process.env.E2E_FAIL_SCREENSHOT;
  if (shot && browser) await browser.saveScreenshot(shot).catch(() => {});
} finally {
  await browser?.deleteSession().catch(() => {});
  driver.kill();
  rmSync(dir, { recursive: true, force: true });
}
console.log(`e2e: ${passed} passed, ${failed} failed`);
process.exit(failed === 0 && passed > 0 ? 0 : 1);
