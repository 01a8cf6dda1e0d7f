/** Child-process entry: `server-child.ts backend` or `server-child.ts node-proxy <origin>`; prints `READY <port>`. */
import { startBackend, startNodeProxy } from "./servers";

const [role, origin] = process.argv.slice(2);
if (role === "backend") {
  console.log(`READY ${await startBackend()}`);
} else if (role === "node-proxy" && origin) {
  console.log(`READY ${await startNodeProxy(origin)}`);
} else {
  console.error("usage: server-child.ts backend | node-proxy <origin>");
  process.exit(2);
}
