// duro/testing/store-conformance: the Store contract's test suite, for any backend (duro's own and third parties').
// It registers vitest tests, so it is an entry of its own: duro/testing stays usable without vitest.
export { type ConformanceOptions, FakeClock, type MakeStore } from "./harness.js";
export { storeConformance } from "./suite.js";
