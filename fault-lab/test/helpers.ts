import { createLabControl, type LabControl } from "../src/control/lab-control";
import { backendService } from "../src/fakes/backend";
import { geminiService } from "../src/fakes/gemini";
import { openrouterService } from "../src/fakes/openrouter";
import { startFakeServer, type FakeServer } from "../src/adapters/node-http";

export interface Fakes {
  control: LabControl;
  backend: FakeServer;
  gemini: FakeServer;
  openrouter: FakeServer;
  close(): Promise<void>;
}

/** The three fakes on free ports with one shared control, as the stack starts them (without workerd). */
export async function startFakes(seed = 1): Promise<Fakes> {
  const control = createLabControl(seed);
  const backend = await startFakeServer(backendService, control);
  const gemini = await startFakeServer(geminiService, control);
  const openrouter = await startFakeServer(openrouterService, control);
  return {
    control,
    backend,
    gemini,
    openrouter,
    close: async () => {
      await Promise.all([backend.close(), gemini.close(), openrouter.close()]);
    },
  };
}
