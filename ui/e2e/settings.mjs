// End-to-end: the settings window in the real app (under Xvfb, through tauri-driver and
// WebKitWebDriver) against fake Ollama and OpenAI-compatible servers on 127.0.0.1.
// Adds both providers, exposes models, routes categorization to Ollama and scoring to
// OpenAI, sees both tasks Ready, stops the OpenAI fake and sees scoring turn
// unreachable with its fix, disconnects Ollama (the confirmation names Categorization),
// then checks that the CLI on the same file agrees with what the window showed.
// The scenario runs twice: once with the mouse, once with the keyboard only.
//
//   node e2e/settings.mjs <app binary> <curator cli binary> [mouse|keyboard|both]
// E2E_SHOTS=<dir> saves screenshots (light and dark) of Providers and Task routes.
import { spawn, execFileSync } from "node:child_process";
import { mkdtempSync, rmSync, mkdirSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { remote } from "webdriverio";
import { fakeOllama, fakeOpenAI } from "./fakes.mjs";

const [app, cli, which = "both"] = process.argv.slice(2);
if (!app || !cli) {
  console.error("usage: node e2e/settings.mjs <app binary> <curator cli binary> [mouse|keyboard|both]");
  process.exit(2);
}
const KEY = "sk-e2e-secret-key-0000wxyz";
const shots = process.env.E2E_SHOTS;
if (shots) mkdirSync(shots, { recursive: true });

let passed = 0;
let failed = 0;
const check = (name, ok, detail = "") => {
  if (ok) passed++;
  else failed++;
  console.log(`${ok ? "ok" : "FAIL"} - ${name}${ok ? "" : `: ${detail}`}`);
  return ok;
};

// Keys go to the 0600 file beside each test database, never to the desktop keychain.
const appEnv = { ...process.env, CURATOR_SECRET_STORE: "file" };
const driver = spawn(process.env.TAURI_DRIVER ?? "tauri-driver", ["--port", "4444"], {
  stdio: ["ignore", "inherit", "inherit"],
  env: appEnv,
});

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

/** The ways a user acts on the window: with the mouse, or with the keyboard only. */
function actions(browser, mode) {
  const find = async (name, root = browser) => {
    const el = await root.$(`aria/${name}`);
    await el.waitForExist({ timeout: 15_000 });
    return el;
  };
  const isFocused = (el) => browser.execute((e) => document.activeElement === e || e.contains(document.activeElement), el);
  /** Tab (forward) until `el` has focus; fails after a full lap. */
  const focus = async (el) => {
    for (let i = 0; i < 120; i++) {
      if (await isFocused(el)) return;
      await browser.keys(["Tab"]);
    }
    throw new Error("could not reach the control with Tab");
  };
  const kb = mode === "keyboard";
  return {
    find,
    async pressEl(el) {
      if (kb) {
        await focus(el);
        await browser.keys(["Enter"]);
      } else await el.click();
    },
    async press(name) {
      const el = await find(name);
      if (kb) {
        await focus(el);
        await browser.keys(["Enter"]);
      } else await el.click();
    },
    async toggle(name) {
      const el = await find(name);
      if (kb) {
        await focus(el);
        await browser.keys([" "]);
      } else {
        // Switches and checkboxes keep their input visually hidden: click its label.
        const label = await el.$("./ancestor::label[1]");
        await ((await label.isExisting()) ? label : el).click();
      }
    },
    async fill(name, text) {
      const el = await find(name);
      if (kb) {
        await focus(el);
        await browser.keys(["Control", "a"]);
        await browser.keys(["Backspace"]);
        for (const ch of text) await browser.keys(ch); // one at a time: repeats must not merge
      } else {
        // React owns the value: clear it the way a user does, then type.
        await el.click();
        await browser.keys(["Control", "a"]);
        await browser.keys(["Backspace"]);
        await el.addValue(text);
      }
    },
    /** Type into a combobox and choose the option whose text starts with `option`. */
    async choose(name, search, option) {
      const el = await find(name);
      if (kb) {
        await focus(el);
        await browser.keys(["Control", "a"]);
        await browser.keys(["Backspace"]);
        for (const ch of search) await browser.keys(ch);
      } else {
        await el.click();
        await browser.keys(["Control", "a"]);
        await browser.keys(["Backspace"]);
        await el.addValue(search);
      }
      const opt = await browser.$(`//*[@role="option"][starts-with(normalize-space(.), "${option}")]`);
      await opt.waitForExist({ timeout: 10_000 });
      if (kb) {
        for (let i = 0; i < 20; i++) {
          await browser.keys(["ArrowDown"]);
          const active = await browser.execute((e) => e.getAttribute("aria-activedescendant"), el);
          if (active && active === (await opt.getAttribute("id"))) break;
        }
        await browser.keys(["Enter"]);
      } else await opt.click();
    },
    async text(name) {
      return (await (await find(name)).getText()).trim();
    },
  };
}

async function waitFor(what, fn, timeout = 15_000) {
  const end = Date.now() + timeout;
  let last;
  while (Date.now() < end) {
    try {
      last = await fn();
      if (last) return last;
    } catch (e) {
      last = e.message;
    }
    await new Promise((r) => setTimeout(r, 250));
  }
  throw new Error(`${what} (last: ${JSON.stringify(last)})`);
}

async function shot(browser, name) {
  if (!shots) return;
  // A clean frame: no notifications over the content, scrolled to the top.
  await browser.execute(() => {
    for (const b of document.querySelectorAll('[aria-label="Dismiss notification"]')) b.click();
    for (const el of document.querySelectorAll("main, .content")) el.scrollTop = 0;
  });
  for (const theme of ["light", "dark"]) {
    await browser.execute((t) => document.documentElement.setAttribute("data-theme", t), theme);
    await new Promise((r) => setTimeout(r, 300));
    await browser.saveScreenshot(join(shots, `${name}-${theme}.png`));
  }
  await browser.execute(() => document.documentElement.removeAttribute("data-theme"));
}

async function scenario(mode) {
  console.log(`# scenario: ${mode}`);
  const dir = mkdtempSync(join(tmpdir(), `curator-e2e-${mode}-`));
  const db = join(dir, "curator.db");
  const env = appEnv;
  const ollama = await fakeOllama().start();
  const openai = await fakeOpenAI({ key: KEY }).start();
  let browser;
  try {
    browser = await session(["--db", db]);
    const ui = actions(browser, mode);
    await ui.press("Providers");

    // Ollama, through the Add provider dialog.
    await ui.press("Add provider");
    const dialog = await ui.find("Add provider");
    check(`${mode}: the Add provider dialog opens`, await dialog.isDisplayed());
    await ui.press("Ollama");
    await ui.fill("Host", "http://127.0.0.1");
    await ui.fill("Port", String(ollama.port));
    await ui.press("Test connection");
    await waitFor("Ollama test connects", async () => (await browser.$("body").getText()).includes("Connected"));
    await ui.press("Save");
    await waitFor("Ollama card appears", async () => (await browser.$("aria/Ollama provider")).isExisting());

    if (mode === "mouse") {
      // Pull with progress; Cancel stops the download at once.
      await ui.fill("Model to pull", "tinyllama:1.1b");
      await browser.keys(["Enter"]); // the field's own Pull
      const progress = async (model) => Number(await (await browser.$(`aria/Pulling ${model}`)).getAttribute("aria-valuenow"));
      const pct = await waitFor("pull progress", async () => (await progress("tinyllama:1.1b")) > 0 && progress("tinyllama:1.1b"));
      check(`${mode}: the pull shows its progress (${pct}%)`, pct > 0 && pct < 100);
      const cancelAt = Date.now();
      await ui.pressEl(await browser.$('//button[starts-with(normalize-space(.), "Cancel") and contains(., "tinyllama:1.1b")]'));
      const rec = await waitFor("the fake sees the pull stop", async () => ollama.pulls.find((p) => p.model === "tinyllama:1.1b" && p.abortedAt));
      check(`${mode}: Cancel stops the download at once (${rec.abortedAt - cancelAt} ms)`, rec.abortedAt - cancelAt < 1000 && !rec.finished);
      // A pull started here is still shown after leaving the section and coming back.
      await ui.fill("Model to pull", "smollm2:135m");
      await browser.keys(["Enter"]);
      await ui.find("Pulling smollm2:135m");
      await ui.press("Task routes");
      await ui.press("Providers");
      // The section reopens the panel that was open; open it if it is not.
      await new Promise((r) => setTimeout(r, 500));
      if (!(await (await browser.$("aria/Model to pull")).isExisting())) await ui.press("Ollama");
      await ui.find("Model to pull");
      const later = await waitFor("pull still running", async () => progress("smollm2:135m"));
      check(`${mode}: a running pull shows again on return (${later}%)`, later > 0);
      await ui.pressEl(await browser.$('//button[starts-with(normalize-space(.), "Cancel") and contains(., "smollm2:135m")]'));
      await waitFor("second pull stopped", async () => ollama.pulls.find((p) => p.model === "smollm2:135m" && p.abortedAt));
    }

    // OpenAI-compatible, with a key, a base URL and a choice of models.
    await ui.press("Add provider");
    await ui.press("OpenAI");
    await ui.fill("API key", KEY);
    await ui.fill("Base URL", `http://127.0.0.1:${openai.port}`);
    const preview = `http://127.0.0.1:${openai.port}/v1/models`;
    await waitFor("base URL preview", async () => (await browser.$("body").getText()).includes(preview));
    check(`${mode}: the base URL preview shows the exact models URL`, true);
    await ui.press("Test connection");
    await waitFor("OpenAI test connects", async () => (await browser.$("body").getText()).includes("Connected"));
    await ui.press("Save");
    await waitFor("OpenAI saved", async () => /stored in/i.test(await browser.$("body").getText()));
    const html = await browser.execute(() => document.documentElement.outerHTML);
    check(`${mode}: the saved key is not in the DOM`, !html.includes(KEY), "key found in the page");
    check(`${mode}: the panel shows the key's last four`, html.includes("wxyz"));
    await ui.fill("Search models", "gpt-4.1-m");
    await ui.toggle("gpt-4.1-mini");
    await ui.press("Save");
    await waitFor("exposed count", async () => /1 of 3 exposed/.test(await browser.$("body").getText()));
    check(`${mode}: one of three models exposed`, true);
    // Escape closes the panel and leaves the two cards.
    await browser.keys(["Escape"]);
    await waitFor("panel closed", async () => !(await browser.$("aria/Search models").isExisting()));
    if (mode === "mouse") await shot(browser, "providers");

    // Task routes: categorization to Ollama, scoring to OpenAI.
    await ui.press("Task routes");
    await ui.toggle("Use separate models");
    await ui.choose("Categorization model", "gemma3", "gemma3:12b");
    await ui.choose("Scoring model", "gpt-4.1", "gpt-4.1-mini");
    await ui.press("Save");
    const cat = await waitFor("categorization ready", async () => {
      const t = await ui.text("Categorization readiness");
      return t.startsWith("Ready") && t;
    });
    const sco = await waitFor("scoring ready", async () => {
      const t = await ui.text("Scoring readiness");
      return t.startsWith("Ready") && t;
    });
    check(`${mode}: categorization is ready on Ollama`, /Ollama/.test(cat) && /gemma3:12b/.test(cat), cat);
    check(`${mode}: scoring is ready on OpenAI`, /OpenAI/.test(sco) && /gpt-4\.1-mini/.test(sco), sco);
    if (mode === "mouse") {
      await shot(browser, "routes");
      // Test a route: one article through the real request path; nothing is stored.
      await ui.press("Test scoring route");
      const tested = await waitFor("route test result", async () => {
        const t = await browser.$("body").getText();
        return /(Valid|Invalid) answer in \d+ ms/.test(t) && t.match(/(Valid|Invalid) answer in \d+ ms[^\n]*/)[0];
      }, 30_000);
      check(`${mode}: Test scoring route validates the answer (${tested.slice(0, 60)}…)`, tested.startsWith("Valid"), tested);
      // Save and rescore on a database without articles: the real command, over its Channel.
      await ui.press("Save and rescore");
      await waitFor("rescore result", async () => (await browser.$("body").getText()).includes("Nothing to rescore"), 30_000);
      check(`${mode}: Save and rescore runs and reports its result`, true);
    }

    // The OpenAI fake stops answering: scoring turns unreachable within a poll interval.
    await openai.stop();
    const down = await waitFor(
      "scoring becomes unreachable",
      async () => {
        const t = await ui.text("Scoring readiness");
        return !t.startsWith("Ready") && t;
      },
      30_000,
    );
    check(`${mode}: scoring readiness says why it cannot run`, /reach|answer|OpenAI/i.test(down), down);
    const status = await ui.find("Scoring readiness");
    const fix = await status.$("button");
    check(`${mode}: scoring readiness offers its fix`, await fix.isExisting(), "no fix button");
    check(`${mode}: categorization stays ready`, (await ui.text("Categorization readiness")).startsWith("Ready"));

    // Disconnect Ollama: the confirmation names the task it routes.
    await ui.press("Providers");
    await ui.press("Ollama");
    await ui.press("Disconnect");
    const confirm = await browser.$('//*[@role="alertdialog" or @role="dialog"][.//*[contains(., "Categorization")]]');
    await confirm.waitForExist({ timeout: 10_000 });
    check(`${mode}: the disconnect confirmation names Categorization`, (await confirm.getText()).includes("Categorization"));
    const confirmBtn = await confirm.$("aria/Disconnect");
    if (mode === "keyboard") {
      // Tab and Shift+Tab cycle inside the dialog and never reach the window behind it.
      let trapped = true;
      for (const k of [["Tab"], ["Tab"], ["Tab"], ["Tab"], ["Shift", "Tab"], ["Shift", "Tab"], ["Shift", "Tab"]]) {
        await browser.keys(k);
        trapped &&= await browser.execute((d) => d.contains(document.activeElement), confirm);
      }
      check(`${mode}: focus is trapped in the confirmation`, trapped);
    }
    await ui.pressEl(confirmBtn);
    await waitFor("Ollama card gone", async () => !(await browser.$("aria/Ollama").isExisting()));

    // The CLI on the same database agrees with the window.
    const routes = JSON.parse(execFileSync(cli, ["--db", db, "routes", "get", "--json"], { env }));
    const providers = JSON.parse(execFileSync(cli, ["--db", db, "providers", "list", "--json"], { env }));
    const scoring = routes.routes.find((r) => r.task === "scoring");
    check(`${mode}: routes get shows scoring on openai:gpt-4.1-mini`, scoring?.provider === "openai" && scoring?.model === "gpt-4.1-mini", JSON.stringify(routes));
    check(`${mode}: routes get has no categorization route left`, !routes.routes.some((r) => r.task === "categorization"), JSON.stringify(routes));
    check(`${mode}: use_separate_models is on`, routes.use_separate_models === true, JSON.stringify(routes));
    const list = Array.isArray(providers) ? providers : providers.providers;
    check(`${mode}: providers list has only OpenAI`, list.length === 1 && list[0].provider === "openai", JSON.stringify(providers));
    check(`${mode}: the exposed model is stored`, JSON.stringify(list[0]?.config?.selected_models) === '["gpt-4.1-mini"]', JSON.stringify(list[0]?.config));
    check(`${mode}: the CLI output holds no key`, !JSON.stringify(providers).includes(KEY));
  } catch (e) {
    check(`${mode}: scenario`, false, e?.message ?? String(e));
    if (browser && shots) await browser.saveScreenshot(join(shots, `fail-${mode}.png`)).catch(() => {});
    if (browser && process.env.E2E_DEBUG) {
      for (const cmd of ["list_models", "list_providers", "get_task_routes"]) {
        const r = await browser.executeAsync((c, done) => {
          window.__TAURI_INTERNALS__.invoke(c, { refresh: false }).then((v) => done(JSON.stringify(v)), (e) => done("ERR " + JSON.stringify(e)));
        }, cmd).catch((e) => e.message);
        console.log(`# ${cmd}: ${r}`);
      }
    }
  } finally {
    await browser?.deleteSession().catch(() => {});
    await ollama.stop();
    await openai.stop();
    rmSync(dir, { recursive: true, force: true });
  }
}

try {
  if (which === "mouse" || which === "both") await scenario("mouse");
  if (which === "keyboard" || which === "both") await scenario("keyboard");
} finally {
  driver.kill();
}
console.log(`e2e: ${passed} passed, ${failed} failed`);
process.exit(failed === 0 && passed > 0 ? 0 : 1);
