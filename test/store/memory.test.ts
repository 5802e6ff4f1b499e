import { MemoryStore } from "../../src/store/index.js";
import { storeConformance } from "../../src/testing/store-conformance/index.js";

storeConformance("memory", async (clock) => new MemoryStore({ clock: () => clock.now() }));
