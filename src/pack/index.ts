// Packs: what a user hands to someone else. Manifest, directory and zip packs, digests, Ed25519
// signatures, and the components (JS modules, sandboxed WASI modules and preview 2 components) flows call.
export { type BuildResult, buildPack, signPack } from "./build.js";
export { type Capability, capabilityProblem, netGrants } from "./capabilities.js";
export { digestsOf, sha256 } from "./digest.js";
export { type PackErrorCode, packError } from "./errors.js";
export { type ComponentKind, type ComponentSpec, MANIFEST_FILE, type PackManifest, parseManifest, SIGNATURE_FILE } from "./manifest.js";
export {
  type OpenedPack,
  type OpenPackOptions,
  openPack,
  type PackContents,
  readPack,
  type SigningMode,
  type VerifiedPack,
  verifyPack,
} from "./open.js";
export {
  checkSignature,
  generateKeys,
  type KeyPair,
  keyIdOf,
  loadTrustedKeys,
  type SignatureCheck,
  type SignatureStatus,
} from "./signing.js";
export { type WasmComponentOptions, wasmComponent } from "./wasm.js";
export { isWasiComponent, type WasiComponentOptions, wasiComponent } from "./wasm-component.js";
export { DEFAULT_ZIP_LIMITS, readZip, writeZip, type ZipLimits } from "./zip.js";
