/**
 * The capnp config the rehearsal serves the production bundle with: the bundle's modules, the vars
 * and secrets as text bindings, AI_SESSIONS as a KV binding backed by the local KV server, the
 * Durable Object namespaces with in-memory SQLite storage, outbound fetch to loopback only.
 */
export interface RehearsalWorkerd {
  modules: string[];
  mainModule: string;
  compatibilityDate: string;
  compatibilityFlags: readonly string[];
  text: Readonly<Record<string, string>>;
  kvBindings: readonly string[];
  /** host:port of the local KV server. */
  kvAddress: string;
  durableObjects: readonly { name: string; className: string }[];
}

export function capnpText(value: string): string {
  if (!/^[\x20-\x7e]*$/.test(value)) throw new Error(`Failed to write the workerd config: value ${JSON.stringify(value.slice(0, 40))} is not printable ASCII.`);
  return `"${value.replace(/\\/g, "\\\\").replace(/"/g, '\\"')}"`;
}

export function rehearsalWorkerdConfig(options: RehearsalWorkerd): string {
  const bindings = [
    ...Object.entries(options.text).map(([name, value]) => `(name = ${capnpText(name)}, text = ${capnpText(value)})`),
    ...options.kvBindings.map((name) => `(name = ${capnpText(name)}, kvNamespace = "kv")`),
    ...options.durableObjects.map((d) => `(name = ${capnpText(d.name)}, durableObjectNamespace = ${capnpText(d.className)})`),
  ].join(",\n    ");
  const classes = [...new Set(options.durableObjects.map((d) => d.className))];
  const namespaces = classes.map((className) => `(className = ${capnpText(className)}, uniqueKey = ${capnpText(`rehearsal-${className}`)}, enableSql = true)`).join(", ");
  const modules = options.modules
    .map((name) => `(name = ${capnpText(name)}, ${name === options.mainModule || name.endsWith(".js") || name.endsWith(".mjs") ? "esModule" : "data"} = embed ${capnpText(name)})`)
    .join(",\n    ");
  return `using Workerd = import "/workerd/workerd.capnp";
const config :Workerd.Config = (
  services = [
    (name = "main", worker = .mainWorker),
    (name = "kv", external = (address = ${capnpText(options.kvAddress)}, http = ())),
    (name = "loopback", network = (allow = ["local"])),
  ],
  sockets = [ (name = "http", address = "127.0.0.1:0", http = (forwardedProtoHeader = "x-forwarded-proto"), service = "main") ],
);
const mainWorker :Workerd.Worker = (
  modules = [
    ${modules}
  ],
  compatibilityDate = ${capnpText(options.compatibilityDate)},
  compatibilityFlags = [${options.compatibilityFlags.map(capnpText).join(", ")}],
  bindings = [
    ${bindings}
  ],
  durableObjectNamespaces = [${namespaces}],
  durableObjectStorage = (inMemory = void),
  globalOutbound = "loopback",
);
`;
}
