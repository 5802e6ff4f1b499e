// The credential shapes of the catalogue: each is found inside ordinary text, and ordinary ids, hashes and
// encodings are left alone. Every token here is generated from the shape (a fixed filler), never a real secret.
import { createHash, randomBytes, randomUUID } from "node:crypto";
import { describe, expect, it } from "vitest";
import { childRunId, newRunId, type RunId, type StepKey, uuidV5 } from "../../src/core/ids.js";
import { REDACTED, Redactor } from "../../src/observe/redact.js";
import { SECRET_SHAPES } from "../../src/observe/secret-shapes.js";

const ALNUM = "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789";
/** `n` characters of `alphabet`, in a fixed walk through it: shaped like a token, worth nothing. */
function filler(n: number, alphabet = ALNUM): string {
  let out = "";
  for (let i = 0; i < n; i++) out += alphabet[(i * 7 + 3) % alphabet.length];
  return out;
}
const DIGITS = "0123456789";
const UPPER = "ABCDEFGHIJKLMNOPQRSTUVWXYZ234567";
const LOWER_ALNUM = "abcdefghijklmnopqrstuvwxyz0123456789";
const B64 = `${ALNUM}+/`;

const TOKENS: Record<string, string> = {
  "github-pat": `ghp_${filler(36)}`,
  "github-oauth": `gho_${filler(36)}`,
  "github-app-token": `ghs_${filler(36)}`,
  "github-app-token (user)": `ghu_${filler(36)}`,
  "github-refresh-token": `ghr_${filler(36)}`,
  "github-fine-grained-pat": `github_pat_${filler(82)}`,
  "gitlab-pat": `glpat-${filler(20)}`,
  "slack-bot-token": `xoxb-${filler(11, DIGITS)}-${filler(12, DIGITS)}-${filler(24)}`,
  "slack-user-token": `xoxp-${filler(11, DIGITS)}-${filler(11, DIGITS)}-${filler(12, DIGITS)}-${filler(32)}`,
  "slack-app-token": `xapp-1-A${filler(10, UPPER)}-${filler(13, DIGITS)}-${filler(64, LOWER_ALNUM)}`,
  "slack-legacy-workspace-token": `xoxa-2-${filler(30)}`,
  "slack-webhook-url": `https://hooks.slack.com/services/T${filler(8, UPPER)}/B${filler(8, UPPER)}/${filler(24)}`,
  "stripe-access-token": `sk_live_${filler(24)}`,
  "stripe-access-token (restricted)": `rk_live_${filler(24)}`,
  "gcp-api-key": `AIza${filler(35)}`,
  "anthropic-api-key": `sk-ant-api03-${filler(93)}AA`,
  "anthropic-admin-api-key": `sk-ant-admin01-${filler(93)}AA`,
  "openai-api-key (project)": `sk-proj-${filler(74)}T3BlbkFJ${filler(74)}`,
  "openai-api-key (legacy)": `sk-${filler(20)}T3BlbkFJ${filler(20)}`,
  "npm-access-token": `npm_${filler(36)}`,
  "azure-ad-client-secret": `${filler(3)}8Q~${filler(34)}`,
  "azure-storage-key": `DefaultEndpointsProtocol=https;AccountName=acct;AccountKey=${filler(86, B64)}==`,
  "azure-shared-access-key": `Endpoint=sb://ns.servicebus.windows.net/;SharedAccessKeyName=root;SharedAccessKey=${filler(43, B64)}=`,
  "aws-access-token": `AKIA${filler(16, UPPER)}`,
  jwt: `eyJ${filler(30)}.eyJ${filler(40)}.${filler(43)}`,
  "bearer credential": `Bearer ${filler(40)}`,
  "private-key": `-----BEGIN OPENSSH PRIVATE KEY-----\n${filler(70, B64)}\n-----END OPENSSH PRIVATE KEY-----`,
};

describe("secret shapes", () => {
  const redactor = new Redactor();

  it.each(Object.entries(TOKENS))("finds a %s inside a sentence, a URL query and as a whole value", (_name, token) => {
    expect(redactor.redactString(token)).not.toContain(token.slice(-12));
    expect(redactor.redactString(`the token ${token} was used`)).toMatch(/^the token .*\[REDACTED\].* was used$/);
    expect(redactor.redactString(`https://api.example.com/x?key=${token}&page=2`)).not.toContain(token.slice(-12));
  });

  it("covers every shape of the catalogue with a token above", () => {
    const covered = new Set<string>();
    for (const shape of SECRET_SHAPES) {
      for (const token of Object.values(TOKENS)) {
        shape.pattern.lastIndex = 0;
        if (shape.pattern.test(token)) covered.add(shape.id);
      }
    }
    const untested = SECRET_SHAPES.map((s) => s.id).filter((id) => !covered.has(id) && !UNTESTED_ON_PURPOSE.has(id));
    expect(untested).toEqual([]);
  });

  it("leaves ordinary ids, hashes and encodings alone", () => {
    const runId = newRunId(Date.now(), randomBytes(16));
    const ordinary = [
      randomUUID(),
      uuidV5("orders/42"),
      createHash("sha256").update("hello").digest("hex"),
      createHash("sha1").update("hello").digest("hex"),
      createHash("sha512").update("hello").digest("base64"),
      `sha256:${createHash("sha256").update("artifact").digest("hex")}`,
      runId,
      childRunId(runId as RunId, "charge#0" as StepKey),
      "01HZX3K8Q9V4M2N7P5R6S8T0WY",
      Buffer.from("The quick brown fox jumps over the lazy dog, again and again, until the end of the line.").toString("base64"),
      Buffer.from('{"order":42,"items":["book","pen"],"note":"deliver before noon"}').toString("base64url"),
      "charge#0",
      "skip-the-line-for-this-customer-please",
      "task_live_in_the_queue_since_monday",
      "npm install left-pad",
      "AIzable is not a word, but neither is this",
      "maxTokens inputTokens outputTokens",
      "2026-12-04T17:32:45.123Z",
    ];
    for (const text of ordinary) expect(redactor.redactString(text), text).toBe(text);
    expect(redactor.redact({ ids: ordinary }).redactions).toEqual([]);
  });

  it("replaces only the token: the text around it stays", () => {
    const token = TOKENS["github-pat"] as string;
    expect(redactor.redactString(`push with ${token}, then tag`)).toBe(`push with ${REDACTED}, then tag`);
  });
});

// Shapes whose real format is long and fixed (Slack configuration tokens, legacy Slack tokens) are taken from
// the catalogue as they are; the generic duro shapes are covered by the tokens of other rows.
const UNTESTED_ON_PURPOSE = new Set(["slack-config-access-token", "slack-legacy-token"]);
