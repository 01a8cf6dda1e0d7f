import type { ServerName } from "../control/lab-control";
import { backendService } from "./backend";
import { geminiService } from "./gemini";
import { openrouterService } from "./openrouter";
import type { FakeService } from "./service";

/** The lab's three fakes by name, for adapters that serve all of them. */
export const LAB_SERVICES: Record<ServerName, FakeService> = { backend: backendService, gemini: geminiService, openrouter: openrouterService };
