// duro/load: workflow files to workflow definitions. A TypeScript or JavaScript module, a flow document or a pack
// (checked and verified before anything runs), as the CLI, the server and user code load them.
export { loadWorkflowFile, loadWorkflowFiles, pickWorkflow } from "./load.js";
export { FLOW_EXTENSIONS, isPackPath, type LoadedModule, type LoadOptions, type PackLoadOptions } from "./loaded.js";
export { checkManifest, DURO_VERSION, type ManifestCheck } from "./manifest.js";
