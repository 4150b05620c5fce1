// A benchmark of the settings window in the real app (under Xvfb, through tauri-driver and
// WebKitWebDriver). It prints figures beside their targets; it is not a test and never
// fails on a timing (only on a broken setup).
//
//   node e2e/bench-window.mjs <app binary> <curator cli binary> [runs]
//   (under Xvfb; BENCH_ONLY=a or b runs one part; BENCH_VERBOSE=1 prints every keystroke;
//   BENCH_DRIVER_PORT, default 4447)
//
// (a) With a healthy fake Ollama and an OpenAI-compatible provider that accepts the
//     connection and never answers: the time from clicking a section in the sidebar (the
//     app freshly started, on another section) until
//       - Providers is interactive: every configured provider's card with its "Enabled"
//         switch, and "Add provider", are in the DOM and enabled;
//       - Task routes shows the healthy provider's models: the model picker holds the
//         saved Ollama model as an offered model ("gemma3:12b — 7.6 GB (loaded)").
//     Each run is a new app process (nothing cached in the page or in the core).
//     Also printed, without a target: until both readiness lines are shown.
// (b) With a 1,000-model catalog in the OpenAI panel: the time from a keystroke in
//     "Search models" (its keydown, in the page) until the list's DOM has changed, and
//     until the next animation frame after that (the frame that shows it), over ~30
//     keystrokes.
//
// Times are taken inside the page with performance.now(); the WebDriver round trips
// are not part of them.
import { spawn, execFileSync } from "node:child_process";
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { remote } from "webdriverio";
import { fakeHanging, fakeOllama, fakeOpenAI } from "./fakes.mjs";

const [app, cli, runsArg] = process.argv.slice(2);
if (!app || !cli) {
  console.error("usage: node e2e/bench-window.mjs <app binary> <curator cli binary> [runs]");
  process.exit(2);
}
const RUNS = Number(runsArg ?? process.env.BENCH_RUNS ?? 5);
const KEY = "sk-bench-0000wxyz";
const PORT = Number(process.env.BENCH_DRIVER_PORT ?? 4447);
const TARGET_SECTION_MS = 1000;
const TARGET_KEY_MS = 50;

const home = mkdtempSync(join(tmpdir(), "curator-bench-"));
// The app's own data dir (its UI preferences) is private to the benchmark, so every run
// starts on the Database section; keys go to the file beside each database.
const dataHome = join(home, "xdg-data");
const appEnv = { ...process.env, CURATOR_SECRET_STORE: "file", XDG_DATA_HOME: dataHome };
const driver = spawn(process.env.TAURI_DRIVER ?? "tauri-driver", ["--port", String(PORT), "--native-port", String(PORT + 1)], {
  stdio: ["ignore", "ignore", "inherit"],
  env: appEnv,
});

const sleep = (ms) => new Promise((r) => setTimeout(r, ms));

function startOn(section) {
  const dir = join(dataHome, "app.curator.desktop");
  mkdirSync(dir, { recursive: true });
  writeFileSync(join(dir, "ui.json"), JSON.stringify({ section }));
}

async function session(db) {
  for (let i = 0; ; i++) {
    try {
      return await remote({
        hostname: "127.0.0.1",
        port: PORT,
        logLevel: "warn",
        connectionRetryCount: 0,
        capabilities: { "tauri:options": { application: app, args: ["--db", db] } },
      });
    } catch (e) {
      if (i >= 20) throw e;
      await sleep(500);
    }
  }
}

function cliRun(db, args, input) {
  return execFileSync(cli, ["--db", db, ...args], { env: appEnv, input, stdio: ["pipe", "pipe", "inherit"] });
}

const quantile = (xs, q) => {
  const s = [...xs].sort((a, b) => a - b);
  if (s.length === 0) return NaN;
  const i = Math.min(s.length - 1, Math.max(0, Math.ceil(q * s.length) - 1));
  return s[i];
};
const ms = (x) => (Number.isFinite(x) ? `${Math.round(x)} ms` : "n/a");
const fmt1 = (x) => (Number.isFinite(x) ? `${x.toFixed(1)} ms` : "n/a");

/**
 * In the page: wait until the sidebar shows, then time from the click on `section`'s
 * sidebar item (taken at the click event) until each of `conds` holds in the DOM, and
 * until the next frame after that. `conds` maps a label to a named check and its argument.
 */
async function timeSection(browser, section, conds, timeoutMs) {
  const nav = await browser.$(`aria/${section}`);
  await nav.waitForExist({ timeout: 20_000 });
  // Install the observer before clicking; the click time is taken in the page.
  await browser.execute(
    (section, conds) => {
      const w = window;
      w.__bench = { clickAt: null, found: {}, frame: {} };
      // The checks (functions cannot be passed in, and the page's CSP forbids eval).
      const byName = {
        providersInteractive: (names) => {
          const cards = names.map((n) => document.querySelector(`[role="group"][aria-label="${n} provider"]`));
          if (cards.some((c) => !c)) return false;
          const switchOk = (c) => {
            const sw = c.querySelector('[role="switch"]');
            return !!sw && !sw.disabled;
          };
          if (!cards.every(switchOk)) return false;
          const add = [...document.querySelectorAll("button")].find((b) => b.textContent.trim() === "Add provider");
          return !!add && !add.disabled && add.getAttribute("aria-disabled") !== "true";
        },
        pickerShows: (value) => [...document.querySelectorAll('input[role="combobox"]')].some((i) => i.value === value),
        readinessShown: () =>
          !!document.querySelector('[role="status"][aria-label="Categorization readiness"]') &&
          !!document.querySelector('[role="status"][aria-label="Scoring readiness"]'),
      };
      const checks = Object.fromEntries(Object.entries(conds).map(([k, [name, arg]]) => [k, () => byName[name](arg)]));
      const check = () => {
        const b = w.__bench;
        if (b.clickAt === null) return;
        for (const [k, fn] of Object.entries(checks)) {
          if (b.found[k] !== undefined) continue;
          let ok = false;
          try {
            ok = !!fn();
          } catch {
            ok = false;
          }
          if (ok) {
            const t = performance.now();
            b.found[k] = t - b.clickAt;
            requestAnimationFrame(() => {
              b.frame[k] = performance.now() - b.clickAt;
            });
          }
        }
      };
      const obs = new MutationObserver(check);
      obs.observe(document.body, { subtree: true, childList: true, attributes: true, characterData: true });
      w.__benchObserver = obs;
      const navButton = [...document.querySelectorAll("nav button")].find((b) => b.textContent.trim() === section);
      navButton.addEventListener(
        "click",
        () => {
          w.__bench.clickAt = performance.now();
          queueMicrotask(check);
        },
        { capture: true, once: true },
      );
    },
    section,
    conds,
  );
  await nav.click();
  const end = Date.now() + timeoutMs;
  let res;
  for (;;) {
    res = await browser.execute(() => window.__bench);
    const keys = Object.keys(conds);
    if (keys.every((k) => res.frame[k] !== undefined) || Date.now() > end) break;
    await sleep(50);
  }
  await browser.execute(() => window.__benchObserver?.disconnect());
  return res;
}

/** The page-side checks, by name and argument (defined in `timeSection`). */
const PROVIDERS_INTERACTIVE = (names) => ["providersInteractive", names];
const PICKER_SHOWS = (value) => ["pickerShows", value];
const READINESS_SHOWN = ["readinessShown", null];

async function partA() {
  console.log("# (a) sections with one provider hanging");
  const ollama = await fakeOllama().start();
  const hanging = await fakeHanging().start();
  const dir = mkdtempSync(join(home, "a-"));
  const db = join(dir, "curator.db");
  cliRun(db, ["providers", "set", "ollama", "--config", JSON.stringify({ base_url: "http://127.0.0.1", port: ollama.port })]);
  cliRun(
    db,
    ["providers", "set", "openai", "--config", JSON.stringify({ base_url: `http://127.0.0.1:${hanging.port}` }), "--api-key-stdin"],
    KEY,
  );
  cliRun(
    db,
    [
      "routes",
      "set",
      JSON.stringify({
        categorization: { provider: "ollama", model: "gemma3:12b" },
        scoring: { provider: "openai", model: "gpt-4.1-mini" },
        use_separate_models: true,
      }),
    ],
  );
  console.log(`# fake Ollama on :${ollama.port} (healthy), OpenAI-compatible on :${hanging.port} (accepts, never answers)`);
  const out = { providers: [], providersFrame: [], routes: [], routesFrame: [], readiness: [] };
  let pickerCheck = null;
  try {
    for (let run = 0; run < RUNS; run++) {
      for (const section of ["Providers", "Task routes"]) {
        startOn("database");
        const browser = await session(db);
        try {
          await (await browser.$("aria/Database")).waitForExist({ timeout: 20_000 });
          // The window settles on Database first (nothing of the measured sections loaded).
          await (await browser.$("h1=Database")).waitForExist({ timeout: 20_000 });
          if (section === "Providers") {
            const r = await timeSection(browser, "Providers", { ready: PROVIDERS_INTERACTIVE(["Ollama", "OpenAI"]) }, 20_000);
            out.providers.push(r.found.ready ?? NaN);
            out.providersFrame.push(r.frame.ready ?? NaN);
          } else {
            const r = await timeSection(
              browser,
              "Task routes",
              { picker: PICKER_SHOWS("gemma3:12b — 7.6 GB (loaded)"), readiness: READINESS_SHOWN },
              25_000,
            );
            out.routes.push(r.found.picker ?? NaN);
            out.routesFrame.push(r.frame.picker ?? NaN);
            out.readiness.push(r.frame.readiness ?? NaN);
            if (!pickerCheck) {
              // Not timed: the picker really lists Ollama's models.
              const input = await browser.$("aria/Categorization model");
              await input.click();
              await browser.keys(["Control", "a"]);
              await browser.keys(["Backspace"]);
              await sleep(400);
              pickerCheck = await browser.execute(() =>
                [...document.querySelectorAll('[role="option"]')].map((o) => o.textContent.trim()),
              );
              await browser.keys(["Escape"]);
            }
          }
          console.log(
            `# run ${run + 1} ${section}: ${section === "Providers" ? ms(out.providersFrame.at(-1)) : `${ms(out.routesFrame.at(-1))} (readiness ${ms(out.readiness.at(-1))})`}`,
          );
        } finally {
          await browser.deleteSession().catch(() => {});
        }
      }
    }
  } finally {
    await ollama.stop();
    await hanging.stop();
  }
  console.log(`# picker options (Categorization model): ${JSON.stringify(pickerCheck)}`);
  const row = (label, xs, target) =>
    console.log(
      `${label.padEnd(62)} median ${ms(quantile(xs, 0.5)).padStart(8)}  max ${ms(Math.max(...xs)).padStart(8)}  (n=${xs.length})${target ? `  target < ${target} ms` : ""}`,
    );
  row("click Providers -> Providers interactive (next frame)", out.providersFrame, TARGET_SECTION_MS);
  row("click Task routes -> picker shows Ollama's models (next frame)", out.routesFrame, TARGET_SECTION_MS);
  row("click Task routes -> both readiness lines shown (no target)", out.readiness);
  return out;
}

/** A small seeded generator, so every run uses the same catalog and keystrokes. */
function prng(seed) {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

/** 1,000 distinct model ids that look like a large provider's catalog. */
function catalogIds() {
  const rnd = prng(42);
  const pick = (xs) => xs[Math.floor(rnd() * xs.length)];
  const syl = ["ka", "vo", "rel", "mi", "tra", "qwe", "lla", "ma", "ge", "phi", "dee", "pse", "co", "her", "zu", "nor", "bi", "ta", "xo", "sun"];
  const kinds = ["chat", "instruct", "coder", "vision", "turbo", "mini", "preview", "latest"];
  const ids = new Set();
  while (ids.size < 1000) {
    ids.add(`${pick(syl)}${pick(syl)}${pick(syl)}-${1 + Math.floor(rnd() * 120)}b-${pick(kinds)}`);
  }
  return [...ids];
}

/**
 * ~30 keystrokes, every one of which changes which models match (so every keystroke
 * changes the list): the start of an id typed one character at a time while the
 * matches narrow, then erased one character at a time.
 */
function keystrokePlan(ids) {
  const count = (q) => ids.filter((id) => id.includes(q)).length;
  const rnd = prng(7);
  const plan = [];
  while (plan.length < 30) {
    const target = ids[Math.floor(rnd() * ids.length)];
    const typed = [];
    let prev = ids.length;
    for (const ch of target) {
      const q = typed.join("") + ch;
      const n = count(q);
      if (n >= prev) break;
      typed.push(ch);
      prev = n;
    }
    if (typed.length < 3) continue;
    let q = "";
    for (const ch of typed) {
      q += ch;
      plan.push({ key: ch, q, n: count(q) });
    }
    while (q.length > 0) {
      q = q.slice(0, -1);
      plan.push({ key: "Backspace", q, n: count(q) });
    }
  }
  return plan;
}

async function partB() {
  console.log("# (b) keystroke -> list in \"Search models\" with a 1,000-model catalog");
  const ids = catalogIds();
  const openai = await fakeOpenAI({ key: KEY, models: ids }).start();
  const dir = mkdtempSync(join(home, "b-"));
  const db = join(dir, "curator.db");
  cliRun(
    db,
    ["providers", "set", "openai", "--config", JSON.stringify({ base_url: `http://127.0.0.1:${openai.port}` }), "--api-key-stdin"],
    KEY,
  );
  const plan = keystrokePlan(ids);
  let prev = ids.length;
  for (const p of plan) {
    if (p.n === prev) throw new Error(`keystroke plan: "${p.q}" does not change the list`);
    prev = p.n;
  }
  startOn("providers");
  const browser = await session(db);
  const paint = [];
  const dom = [];
  try {
    const card = await browser.$("aria/OpenAI");
    await card.waitForExist({ timeout: 20_000 });
    await card.click();
    const search = await browser.$("aria/Search models");
    await search.waitForExist({ timeout: 20_000 });
    await browser.waitUntil(
      async () => (await browser.execute(() => document.querySelectorAll(".pv-catalog-row").length)) > 0,
      { timeout: 20_000, timeoutMsg: "the catalog list did not show" },
    );
    await search.click();
    await browser.execute(() => {
      const w = window;
      const input = document.querySelector('input[aria-label="Search models"], .pv-search input');
      const root = input.closest(".pv-exposed");
      const tools = root.querySelector(".pv-exposed-tools");
      w.__keys = [];
      let cur = null;
      input.addEventListener(
        "keydown",
        () => {
          cur = { at: performance.now(), dom: null, paint: null };
          w.__keys.push(cur);
        },
        { capture: true },
      );
      new MutationObserver((records) => {
        if (!cur || cur.dom !== null) return;
        // The list (or "No models match.") changed; the search field's own updates do not count.
        if (records.every((r) => tools.contains(r.target))) return;
        const m = cur;
        m.dom = performance.now() - m.at;
        requestAnimationFrame(() => {
          m.paint = performance.now() - m.at;
        });
      }).observe(root, { subtree: true, childList: true, attributes: true, characterData: true });
    });
    for (const step of plan) {
      await browser.keys([step.key]);
      const i = plan.indexOf(step);
      const got = await browser
        .waitUntil(async () => browser.execute((i) => window.__keys[i] && window.__keys[i].paint !== null && window.__keys[i], i), {
          timeout: 3000,
          interval: 10,
        })
        .catch(() => null);
      if (got) {
        if (process.env.BENCH_VERBOSE) console.log(`# ${JSON.stringify(step.q)} (${step.n} match): dom ${got.dom} ms, frame ${got.paint} ms`);
        dom.push(got.dom);
        paint.push(got.paint);
      } else {
        console.log(`# keystroke ${i + 1} ("${step.q}"): the list did not change within 3 s`);
      }
      // Let the page go idle between keystrokes, as a typist would (~8 keys/s).
      await sleep(120);
    }
    const shown = await browser.execute(() => document.querySelectorAll(".pv-catalog-row").length);
    console.log(`# ${plan.length} keystrokes (e.g. ${plan.slice(0, 6).map((p) => `"${p.q}"→${p.n}`).join(", ")}); rows in the DOM at the end: ${shown}`);
  } finally {
    await browser.deleteSession().catch(() => {});
    await openai.stop();
  }
  const row = (label, xs, target) =>
    console.log(
      `${label.padEnd(62)} p50 ${fmt1(quantile(xs, 0.5)).padStart(9)}  p95 ${fmt1(quantile(xs, 0.95)).padStart(9)}  max ${fmt1(Math.max(...xs)).padStart(9)}  (n=${xs.length})${target ? `  target < ${target} ms` : ""}`,
    );
  row("keystroke -> list DOM updated", dom);
  row("keystroke -> next frame after the update", paint, TARGET_KEY_MS);
}

try {
  console.log(`# bench-window: ${RUNS} runs per section; ${new Date().toISOString()}; load average ${(await import("node:os")).loadavg().map((x) => x.toFixed(2)).join(" ")}`);
  const only = process.env.BENCH_ONLY; // "a" or "b" runs one part
  if (only !== "b") await partA();
  if (only !== "a") await partB();
} finally {
  driver.kill();
  rmSync(home, { recursive: true, force: true });
}
