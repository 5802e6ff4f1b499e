// duro/testing: what users' own test suites import.
export type { Cassette, CassetteStep, Divergence, ReplayReport } from "./cassette.js";
export { buildCassette, readCassette, replayCassette, writeCassette } from "./cassette.js";
export { MockClock, type MockClockOptions, settleSkippingTimers } from "./clock.js";
export { type MockLlmServer, type MockReply, type MockScript, startMockLlm, useMockLlm } from "./mock-llm.js";
export { type HttpMock, loadMocksFile, type MockResponse, Mocks, type MocksSpec, type RecordedHttp, type ToolMock } from "./mocks.js";
export { createTestEngine, type TestEngine, type TestEngineOptions } from "./test-engine.js";
