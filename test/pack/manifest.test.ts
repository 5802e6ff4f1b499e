import { describe, expect, it } from "vitest";
import { parseManifest } from "../../src/pack/index.js";

function problemsOf(text: string): Array<{ path: string; message: string }> {
  try {
    parseManifest(text);
  } catch (error) {
    expect(error).toMatchObject({ code: "pack_invalid", category: "input" });
    return (error as { details: { problems: Array<{ path: string; message: string }> } }).details.problems;
  }
  throw new Error("the manifest was accepted");
}

describe("pack.yaml", () => {
  it("parses a complete manifest with defaults for the optional lists", () => {
    const manifest = parseManifest(`
id: acme.triage
version: 2.1.0-rc.1
flows: [flows/a.yaml]
components:
  clock: { kind: wasm, path: c/clock.wasm, capabilities: [clock, env:TZ], timeout: 2s }
  notify: { kind: js, path: c/notify.js, export: notify }
secrets: [SLACK_TOKEN]
capabilities: [clock, env:TZ]
files:
  flows/a.yaml: sha256:${"a".repeat(64)}
`);
    expect(manifest).toMatchObject({
      id: "acme.triage",
      version: "2.1.0-rc.1",
      entryFlows: [],
      schemas: [],
      secrets: ["SLACK_TOKEN"],
      components: {
        clock: { kind: "wasm", path: "c/clock.wasm", capabilities: ["clock", "env:TZ"], timeout: "2s" },
        notify: { kind: "js", path: "c/notify.js", capabilities: [], export: "notify" },
      },
    });
  });

  it("reports every problem at once, each with its path", () => {
    const problems = problemsOf(`
id: Acme Triage
version: "1.0"
flows: flows/a.yaml
components:
  spy: { kind: python, path: c/spy.py, capabilities: [net, clock], timeout: soon }
secrets: [not-a-name]
capabilities: [random]
files:
  flows/a.yaml: md5:abc
colour: blue
`);
    expect(problems.map((p) => p.path).sort()).toEqual(
      [
        "colour",
        "id",
        "version",
        "flows",
        "components.spy.kind",
        "components.spy.capabilities[0]",
        "components.spy.capabilities[1]",
        "components.spy.timeout",
        "secrets[0]",
        "files.flows/a.yaml",
      ].sort(),
    );
    expect(problems.find((p) => p.path === "components.spy.capabilities[1]")?.message).toContain("not in the pack's capabilities list");
  });

  it("reports YAML syntax errors with their line", () => {
    expect(problemsOf("id: a\nversion: [1.0.0\n")[0]?.path).toMatch(/^line \d+/);
  });

  it("refuses an alias bomb with pack_invalid naming the alias limit, not a stack trace", () => {
    const levels = ["a: &a [x, x, x, x, x, x, x, x, x, x]"];
    for (const name of ["b", "c", "d", "e"]) {
      const previous = String.fromCharCode(name.charCodeAt(0) - 1);
      levels.push(`${name}: &${name} [${Array(10).fill(`*${previous}`).join(", ")}]`);
    }
    const problems = problemsOf(`id: a\nversion: 1.0.0\n${levels.join("\n")}\n`);
    expect(problems).toEqual([{ path: "(root)", message: expect.stringContaining("more than 100 times") }]);
  });

  it("accepts net: grants for the pack's http nodes, refuses malformed ones and net: on a component", () => {
    const ok = parseManifest(
      "id: a\nversion: 1.0.0\ncapabilities: [net:api.example.com, net:*.example.org, net:10.0.0.0/8, net:127.0.0.1:8080, 'net:[::1]']\n",
    );
    expect(ok.capabilities).toHaveLength(5);
    const problems = problemsOf(
      "id: a\nversion: 1.0.0\ncapabilities: ['net:bad host', net:api.example.com]\ncomponents:\n  c: { kind: wasm, path: c.wasm, capabilities: [net:api.example.com] }\n",
    );
    expect(problems.map((p) => p.path).sort()).toEqual(["capabilities[0]", "components.c.capabilities[0]"]);
    expect(problems.find((p) => p.path === "components.c.capabilities[0]")?.message).toContain("cannot open network connections");
  });
});
