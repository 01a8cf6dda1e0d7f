#!/usr/bin/env node
// Test double for wrangler, selected with WRANGLER_BIN. Records every call as one JSON line in
// FAKE_WRANGLER_LOG (argv, cwd, sha256 of stdin — never stdin itself) and simulates outcomes from
// FAKE_WRANGLER_MODE: ok | auth-error | network-error | fail-on=<command prefix>[,<prefix>…].
// FAKE_WRANGLER_STATE (optional JSON file) remembers namespaces and secret names across calls, so
// "already exists" and `secret list` behave like the real API. Output mimics wrangler 4.156.
import { createHash } from "node:crypto";
import { appendFileSync, existsSync, readFileSync, writeFileSync } from "node:fs";

const env = process.env;
const argv = process.argv.slice(2);
const VERSION = "4.156.2";

function commandWords(args) {
  const words = [];
  for (let i = 0; i < args.length; i++) {
    const arg = args[i];
    if (arg.startsWith("-")) {
      if (!arg.includes("=") && ["--config", "-c", "--name", "--env", "--format"].includes(arg)) i++;
      continue;
    }
    words.push(arg);
  }
  return words;
}

function flagValue(name) {
  const index = argv.indexOf(name);
  if (index >= 0) return argv[index + 1];
  const inline = argv.find((arg) => arg.startsWith(`${name}=`));
  return inline?.slice(name.length + 1);
}

async function readStdin() {
  if (process.stdin.isTTY) return "";
  const chunks = [];
  for await (const chunk of process.stdin) chunks.push(chunk);
  return Buffer.concat(chunks).toString("utf8");
}

function loadState() {
  const file = env.FAKE_WRANGLER_STATE;
  if (!file || !existsSync(file)) return { namespaces: [], secrets: [] };
  return JSON.parse(readFileSync(file, "utf8"));
}

function saveState(state) {
  if (env.FAKE_WRANGLER_STATE) writeFileSync(env.FAKE_WRANGLER_STATE, JSON.stringify(state, null, 2));
}

function workerName() {
  const config = flagValue("--config");
  if (!config || !existsSync(config)) return "pocketbrain-ai-proxy";
  return /^name\s*=\s*"([^"]+)"/m.exec(readFileSync(config, "utf8"))?.[1] ?? "pocketbrain-ai-proxy";
}

function hex32(seed) {
  return createHash("sha256").update(seed).digest("hex").slice(0, 32);
}

function banner() {
  console.log(`\n ⛅️ wrangler ${VERSION}\n───────────────────`);
}

function fail(message, code = 1) {
  console.error(`\n✘ [ERROR] ${message}\n`);
  console.error("🪵  Logs were written to \"/tmp/wrangler-fake.log\"");
  process.exit(code);
}

function table(rows) {
  const headers = Object.keys(rows[0] ?? { "Account Name": "", "Account ID": "" });
  const widths = headers.map((h) => Math.max(h.length, ...rows.map((r) => String(r[h]).length)) + 2);
  const line = (l, m, r) => l + widths.map((w) => "─".repeat(w)).join(m) + r;
  const row = (cells) => "│" + cells.map((c, i) => ` ${String(c).padEnd(widths[i] - 1)}`).join("│") + "│";
  return [line("┌", "┬", "┐"), row(headers), line("├", "┼", "┤"), ...rows.map((r) => row(headers.map((h) => r[h]))), line("└", "┴", "┘")].join("\n");
}

const words = commandWords(argv);
const command = words.join(" ");
const needsStdin = command.startsWith("secret put") || command.startsWith("secret bulk");
const stdin = needsStdin ? await readStdin() : "";

if (env.FAKE_WRANGLER_LOG) {
  const record = {
    argv,
    cwd: process.cwd(),
    stdinSha256: stdin ? createHash("sha256").update(stdin).digest("hex") : null,
    stdinBytes: Buffer.byteLength(stdin),
    env: {
      WRANGLER_SEND_METRICS: env.WRANGLER_SEND_METRICS ?? null,
      XDG_CONFIG_HOME: env.XDG_CONFIG_HOME ?? null,
      CLOUDFLARE_CF_FETCH_ENABLED: env.CLOUDFLARE_CF_FETCH_ENABLED ?? null,
      hasApiToken: Boolean(env.CLOUDFLARE_API_TOKEN),
      hasEncryptionSecretVar: Boolean(env.KEY_ENCRYPTION_SECRET || env.KEY_ENCRYPTION_SECRET_PREV || env.METRICS_TOKEN || env.ADMIN_TOKEN),
      configSha256: (() => { const c = flagValue("--config"); return c && existsSync(c) ? createHash("sha256").update(readFileSync(c)).digest("hex") : null; })(),
    },
  };
  appendFileSync(env.FAKE_WRANGLER_LOG, `${JSON.stringify(record)}\n`);
}

if (argv.includes("--version") || argv.includes("-v")) {
  console.log(VERSION);
  process.exit(0);
}

const mode = env.FAKE_WRANGLER_MODE ?? "ok";
const remote = words[0] !== "dev";

if (remote && mode === "auth-error") {
  banner();
  fail(`A request to the Cloudflare API (/accounts/${hex32("acct")}/workers/scripts) failed.\n\n  Authentication error [code: 10000]\n\n  📎 It looks like you are authenticating Wrangler via a custom API token set in an environment variable.\n  Please ensure it has the correct permissions for this operation.`);
}
if (remote && mode === "network-error") {
  banner();
  fail("fetch failed\n\n  getaddrinfo ENOTFOUND api.cloudflare.com");
}
if (mode.startsWith("fail-on=")) {
  const prefixes = mode.slice("fail-on=".length).split(",").map((p) => p.trim().replace(/-/g, " "));
  if (prefixes.some((prefix) => prefix && command.startsWith(prefix))) {
    banner();
    fail(`A request to the Cloudflare API failed.\n\n  Simulated failure of \`wrangler ${command}\` [code: 10013]`);
  }
}
if (remote && !env.CLOUDFLARE_API_TOKEN && command !== "whoami") {
  banner();
  fail("In a non-interactive environment, it's necessary to set a CLOUDFLARE_API_TOKEN environment variable for wrangler to work. Please go to https://developers.cloudflare.com/fundamentals/api/get-started/create-token/ for instructions on how to create an api token, and assign its value to CLOUDFLARE_API_TOKEN.");
}

const state = loadState();
const accounts = env.FAKE_WRANGLER_ACCOUNTS ? JSON.parse(env.FAKE_WRANGLER_ACCOUNTS) : [{ name: "PocketBrain Ops", id: "8a1e3b5c7d9f0a2b4c6d8e0f1a3b5c7d" }];

switch (true) {
  case command === "whoami": {
    if (argv.includes("--json")) {
      if (!env.CLOUDFLARE_API_TOKEN) {
        console.log(JSON.stringify({ loggedIn: false }));
        process.exit(1);
      }
      console.log(JSON.stringify({ loggedIn: true, authType: "User API Token", email: "ops@example.org", accounts, tokenPermissions: [] }, null, 2));
      break;
    }
    banner();
    console.log("Getting User settings...");
    if (!env.CLOUDFLARE_API_TOKEN) {
      console.log("You are not authenticated. Please run `wrangler login`.");
      break;
    }
    console.log("👋 You are logged in with an User API Token, associated with the email ops@example.org.");
    console.log("ℹ️  The API Token is read from the CLOUDFLARE_API_TOKEN environment variable.");
    console.log(table(accounts.map((a) => ({ "Account Name": a.name, "Account ID": a.id }))));
    console.log("🔓 To see token permissions visit https://dash.cloudflare.com/profile/api-tokens");
    break;
  }
  case command.startsWith("kv namespace create"): {
    const preview = argv.includes("--preview");
    const title = `${words[3] ?? ""}${preview ? "_preview" : ""}`;
    banner();
    console.log("Resource location: remote");
    console.log(`🌀 Creating namespace with title "${title}"`);
    if (state.namespaces.some((ns) => ns.title === title)) {
      fail(`A KV namespace with the title "${title}" already exists.\n\nYou can list existing namespaces with their IDs by running:\n  wrangler kv namespace list\n\nOr choose a different namespace name.`);
    }
    const id = env.FAKE_WRANGLER_KV_ID && !preview ? env.FAKE_WRANGLER_KV_ID : hex32(`${title}:${state.namespaces.length}`);
    state.namespaces.push({ id, title });
    saveState(state);
    console.log("✨ Success!");
    console.log("To access your new KV Namespace in your Worker, add the following snippet to your configuration file:");
    const key = preview ? "preview_id" : "id";
    if (env.FAKE_WRANGLER_KV_FORMAT === "json") {
      console.log(JSON.stringify({ kv_namespaces: [{ binding: words[3], [key]: id }] }, null, 2));
    } else {
      console.log(`[[kv_namespaces]]\nbinding = "${words[3]}"\n${key} = "${id}"`);
    }
    break;
  }
  case command === "kv namespace list":
    console.log(JSON.stringify(state.namespaces.map((ns) => ({ id: ns.id, title: ns.title, supports_url_encoding: true })), null, "  "));
    break;
  case command.startsWith("secret put"): {
    const name = words[2];
    banner();
    if (stdin.replace(/\r?\n$/, "") === "") fail("Secret value cannot be empty.");
    console.log(`🌀 Creating the secret for the Worker "${workerName()}" `);
    if (!state.secrets.includes(name)) state.secrets.push(name);
    saveState(state);
    console.log(`✨ Success! Uploaded secret ${name}`);
    break;
  }
  case command.startsWith("secret delete"): {
    const name = words[2];
    banner();
    console.log(`? Are you sure you want to permanently delete the secret ${name} on the Worker ${workerName()}?`);
    console.log("🤖 Using fallback value in non-interactive context: yes");
    console.log(`🌀 Deleting the secret ${name} on the Worker ${workerName()}`);
    state.secrets = state.secrets.filter((secret) => secret !== name);
    saveState(state);
    console.log(`✨ Success! Deleted secret ${name}`);
    break;
  }
  case command === "secret list":
    console.log(JSON.stringify(state.secrets.map((name) => ({ name, type: "secret_text" })), null, "  "));
    break;
  case command === "deploy": {
    const name = workerName();
    banner();
    console.log("Total Upload: 182.40 KiB / gzip: 41.07 KiB");
    console.log("Your Worker has access to the following bindings:\nBinding                                  Resource\nenv.CONTROL_PLANE_DO (ControlPlaneDO)    Durable Object\nenv.AI_SESSIONS                          KV Namespace");
    console.log(`Uploaded ${name} (2.31 sec)`);
    console.log(`Deployed ${name} triggers (0.84 sec)`);
    console.log(`  https://${name}.pocketbrain.workers.dev`);
    console.log(`Current Version ID: ${hex32(`version:${Date.now()}`).replace(/^(.{8})(.{4})(.{4})(.{4})(.{12})$/, "$1-$2-$3-$4-$5")}`);
    break;
  }
  case words[0] === "dev":
    console.log("⎔ Starting local server...");
    console.log("[wrangler:info] Ready on http://127.0.0.1:8787");
    break;
  default:
    fail(`Unknown arguments: ${command}`);
}
