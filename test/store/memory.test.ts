import { storeConformance } from "../../src/store/conformance.js";
import { MemoryStore } from "../../src/store/index.js";

storeConformance("memory", async (clock) => new MemoryStore({ clock: () => clock.now() }));
