import { expect, test } from "vitest";
import type { ErrorCode } from "../../bindings";
import { CommandError } from "../../lib/ipc";
import { isKeyedConfig, isOllamaConfig, keyedConfigOf, normalizeOllamaModel, ollamaConfigOf } from "./config";
import {
  connectionSentence,
  fieldError,
  foldForSearch,
  formatContext,
  formatPrice,
  formatSize,
  formatSpeed,
  joinTasks,
  validateApiKey,
  validateBatch,
  validateKeyedBaseUrl,
  validateOllamaHost,
  validatePort,
  validateTimeout,
} from "./text";

test.each<[ErrorCode, unknown, RegExp]>([
  ["auth_failed", { status: 401 }, /^OpenAI rejected the API key\./],
  ["auth_failed", { status: 403 }, /^OpenAI refused access \(forbidden\)/],
  ["not_found", undefined, /404\)\. Check the base URL\./],
  ["unreachable", undefined, /^Could not reach OpenAI at https:\/\/x\/models\. Check the address/],
  ["timeout", undefined, /^OpenAI did not answer in time\. Try again, or raise the timeout\./],
  ["rate_limited", undefined, /^OpenAI is rate limiting requests\./],
  ["overloaded", undefined, /overloaded/],
  ["server_error", undefined, /server error/],
  ["bad_response", undefined, /did not look like one from OpenAI\. Check the base URL/],
  ["key_unreadable", undefined, /stored OpenAI API key could not be read\. Enter it again\./],
])("a failed test with %s reads as one plain sentence", (code, details, sentence) => {
  expect(connectionSentence({ code, message: "raw", details }, "OpenAI", "https://x/models")).toMatch(sentence);
});

test("Ollama's unreachable sentence asks whether it runs; a missing key asks for it", () => {
  expect(connectionSentence({ code: "unreachable", message: "x" }, "Ollama", "http://h:1")).toBe(
    "Could not reach Ollama at http://h:1. Is it running?",
  );
  expect(
    connectionSentence({ code: "invalid_config", message: "api_key: no API key is set for OpenAI" }, "OpenAI"),
  ).toBe("Enter the OpenAI API key first.");
});

test("field errors from the core name their field", () => {
  const e = new CommandError({ code: "invalid_config", message: "port: must be an integer from 1 to 65535", details: { field: "port" } });
  expect(fieldError(e)).toEqual({ field: "port", message: "Must be an integer from 1 to 65535." });
  expect(fieldError(new CommandError({ code: "invalid_config", message: "timeout_s: too long" }))?.field).toBe("timeout_s");
  expect(fieldError(new CommandError({ code: "db", message: "x" }))).toBeNull();
});

test("Ollama host follows the core's rules", () => {
  expect(validateOllamaHost("http://localhost")).toBeNull();
  expect(validateOllamaHost("https://Ollama.lan/")).toBeNull();
  expect(validateOllamaHost("http://[::1]")).toBeNull();
  expect(validateOllamaHost("")).toMatch(/Enter the host/);
  expect(validateOllamaHost("localhost")).toBe("URL must start with http:// or https://");
  expect(validateOllamaHost("ftp://x")).toBe("URL must start with http:// or https://");
  expect(validateOllamaHost("http://x:11434")).toMatch(/Port field/);
  expect(validateOllamaHost("http://x:80")).toMatch(/Port field/);
  expect(validateOllamaHost("http://[::1]:11434")).toMatch(/Port field/);
  expect(validateOllamaHost("http://x/api")).toMatch(/remove the path/);
  expect(validateOllamaHost("http://x?a=1")).toMatch(/query/);
  expect(validateOllamaHost("http://u:p@x")).toMatch(/user name/);
});

test("numbers are whole and in range; nothing is clamped silently", () => {
  expect(validatePort("11434")).toBeNull();
  for (const bad of ["0", "65536", "abc", "1.5", ""]) expect(validatePort(bad)).toMatch(/1 to 65535/);
  expect(validateTimeout("300")).toBeNull();
  expect(validateTimeout("301")).toMatch(/1 to 300/);
  expect(validateBatch("10")).toBeNull();
  expect(validateBatch("11")).toMatch(/1 to 10/);
  expect(validateBatch("0")).toMatch(/1 to 10/);
});

test("base URL and API key checks", () => {
  expect(validateKeyedBaseUrl("")).toBeNull();
  expect(validateKeyedBaseUrl("https://api.example.com/v1/")).toBeNull();
  expect(validateKeyedBaseUrl("api.example.com")).toMatch(/http/);
  expect(validateKeyedBaseUrl("https://x/v1?key=1")).toMatch(/query/);
  expect(validateApiKey("", true)).toBe("Enter the API key.");
  expect(validateApiKey("", false)).toBeNull();
  expect(validateApiKey("sk-a&b=c+d", true)).toBeNull();
  expect(validateApiKey("sk a", true)).toMatch(/no spaces/);
});

test("search folds case and accents", () => {
  expect(foldForSearch("Mistral-MÉDIUM")).toBe("mistral-medium");
  expect(foldForSearch("Ça")).toBe("ca");
  expect(foldForSearch("Ünïcødé")).toBe("unicødé".normalize("NFD").replace(/\p{M}/gu, ""));
});

test("formats", () => {
  expect(formatSize(8_100_000_000)).toBe("7.5 GB");
  expect(formatSize(800 * 1024 * 1024)).toBe("800 MB");
  expect(formatSize(null)).toBeNull();
  expect(formatSpeed(12.5 * 1024 * 1024)).toBe("12.5 MB/s");
  expect(formatSpeed(300 * 1024)).toBe("300.0 KB/s");
  expect(formatContext(128000)).toBe("128k tokens");
  expect(formatContext(131072)).toBe("128k tokens");
  expect(formatContext(1_000_000)).toBe("1M tokens");
  expect(formatPrice(2.5)).toBe("$2.50");
  expect(formatPrice(0)).toBe("free");
  expect(joinTasks(["categorization", "scoring"])).toBe("Categorization and Scoring");
  expect(joinTasks(["scoring"])).toBe("Scoring");
});

test("configs are narrowed with type guards", () => {
  const o = ollamaConfigOf({ base_url: "http://h", port: 1 });
  expect(o).toMatchObject({ base_url: "http://h", port: 1, batch_size: 1, timeout_s: 15 });
  expect(isOllamaConfig(o)).toBe(true);
  expect(isKeyedConfig(o)).toBe(false);
  const k = keyedConfigOf({ selected_models: ["a", 3], batch_size: 7 });
  expect(k).toEqual({
    base_url: null,
    selected_models: ["a"],
    batch_size: 7,
    timeout_s: 15,
    structured_output: "auto",
    structured_output_detected: null,
  });
  expect(isKeyedConfig(k)).toBe(true);
  expect(normalizeOllamaModel("phi4-mini")).toBe("phi4-mini:latest");
  expect(normalizeOllamaModel("qwen3:4b")).toBe("qwen3:4b");
  expect(normalizeOllamaModel("hf.co/x/y:Q4")).toBe("hf.co/x/y:Q4");
});
