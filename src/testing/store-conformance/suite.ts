// The Store contract as a test suite: every backend runs it unchanged from its own test file
// (`storeConformance("sqlite", makeStore)`). It tests behaviour through the interface only, never a backend's insides.
import { describe } from "vitest";
import { accessConformance } from "./access.js";
import { artifactsConformance } from "./artifacts.js";
import { findingConformance } from "./finding.js";
import { type ConformanceOptions, conformanceHarness, type MakeStore } from "./harness.js";
import { inboxConformance } from "./inbox.js";
import { journalConformance } from "./journal.js";
import { maintenanceConformance } from "./maintenance.js";
import { persistenceConformance } from "./persistence.js";
import { queuesConformance } from "./queues.js";
import { runsConformance } from "./runs.js";
import { schedulesConformance } from "./schedules.js";
import { workConformance } from "./work.js";
import { workersConformance } from "./workers.js";

/** Registers every role's suite against the store `makeStore` opens (one per test), under "Store conformance: <name>". */
export function storeConformance(name: string, makeStore: MakeStore, options: ConformanceOptions = {}): void {
  describe(`Store conformance: ${name}`, () => {
    const t = conformanceHarness(makeStore, options);
    runsConformance(t);
    findingConformance(t);
    journalConformance(t);
    workConformance(t);
    inboxConformance(t);
    queuesConformance(t);
    artifactsConformance(t);
    accessConformance(t);
    persistenceConformance(t);
    schedulesConformance(t);
    maintenanceConformance(t);
    workersConformance(t);
  });
}
