// Opens the real app on a database and saves a screenshot of one section, for looking at
// screens by hand:  node e2e/peek.mjs <app> <db> <section name> <out.png> [light|dark]
import { spawn } from "node:child_process";
import { remote } from "webdriverio";

const [app, db, section, out, theme] = process.argv.slice(2);
const driver = spawn(process.env.TAURI_DRIVER ?? "tauri-driver", ["--port", "4445", "--native-port", "4446"], { stdio: "ignore" });
let browser;
try {
  for (let i = 0; ; i++) {
    try {
      browser = await remote({ hostname: "127.0.0.1", port: 4445, logLevel: "warn", connectionRetryCount: 0, capabilities: { "tauri:options": { application: app, args: ["--db", db] } } });
      break;
    } catch (e) {
      if (i > 20) throw e;
      await new Promise((r) => setTimeout(r, 500));
    }
  }
  await (await browser.$(`aria/${section}`)).click();
  if (theme) await browser.execute((t) => document.documentElement.setAttribute("data-theme", t), theme);
  await new Promise((r) => setTimeout(r, Number(process.env.PEEK_WAIT ?? 2500)));
  await browser.saveScreenshot(out);
} finally {
  await browser?.deleteSession().catch(() => {});
  driver.kill();
}
