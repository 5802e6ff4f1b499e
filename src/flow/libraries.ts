// The flow layer's libraries (yaml, jsonata, ajv), loaded on first use: importing duro for workflows
// written in code, or starting any CLI command, does not pay for parsing them.
import { createRequire } from "node:module";

type Yaml = typeof import("yaml");
type Jsonata = typeof import("jsonata");
type Ajv = typeof import("ajv/dist/2020.js");

const require = createRequire(import.meta.url);
let yamlModule: Yaml | undefined;
let jsonataModule: Jsonata | undefined;
let ajvModule: Ajv | undefined;

export const yaml = (): Yaml => {
  yamlModule ??= require("yaml") as Yaml;
  return yamlModule;
};
export const jsonata = (): Jsonata => {
  jsonataModule ??= require("jsonata") as Jsonata;
  return jsonataModule;
};
export const ajv = (): Ajv => {
  ajvModule ??= require("ajv/dist/2020.js") as Ajv;
  return ajvModule;
};
