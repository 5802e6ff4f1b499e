// The shapes of credentials that are redacted wherever they appear inside a string, whatever the key holding it.
// The rules are derived from gitleaks' maintained catalogue (github.com/gitleaks/gitleaks, config/gitleaks.toml,
// v8.30.1, rule ids kept below) and, for Azure storage, from Yelp's detect-secrets (plugins/azure_storage_key.py).
// Only shapes with a fixed prefix or structure are taken: gitleaks' keyword-and-entropy rules ("generic-api-key")
// would redact ordinary ids and hashes. Adapted for JavaScript: gitleaks' trailing delimiter groups
// (`(?:[\x60'"\s;]|\\[nr]|$)`) become a lookahead for "no further token character", so a token followed by `&`,
// `,` or `)` in a URL or a sentence is still found, and only the token itself is replaced.

/** One credential shape. */
export interface SecretShape {
  /** The rule's id in the source catalogue (or `duro-…` for duro's own). */
  id: string;
  /** What it finds. */
  description: string;
  /** Global pattern; every match is replaced. */
  pattern: RegExp;
}

// A token ends where no character of its alphabet follows.
const END = "(?![A-Za-z0-9_-])";

function shape(id: string, description: string, source: string, flags = "g"): SecretShape {
  return { id, description, pattern: new RegExp(source, flags) };
}

export const SECRET_SHAPES: readonly SecretShape[] = [
  // GitHub
  shape("github-pat", "GitHub personal access token", String.raw`\bghp_[0-9a-zA-Z]{36}${END}`),
  shape("github-oauth", "GitHub OAuth access token", String.raw`\bgho_[0-9a-zA-Z]{36}${END}`),
  shape("github-app-token", "GitHub app user or installation token", String.raw`\b(?:ghu|ghs)_[0-9a-zA-Z]{36}${END}`),
  shape("github-refresh-token", "GitHub refresh token", String.raw`\bghr_[0-9a-zA-Z]{36}${END}`),
  shape("github-fine-grained-pat", "GitHub fine-grained personal access token", String.raw`\bgithub_pat_\w{82}${END}`),
  // GitLab
  shape("gitlab-pat", "GitLab personal access token", String.raw`\bglpat-[\w-]{20,300}(?:\.[0-9a-z]{9})?${END}`),
  // Slack
  shape("slack-bot-token", "Slack bot token", String.raw`\bxoxb-[0-9]{8,14}-[a-zA-Z0-9-]{10,}`),
  shape("slack-user-token", "Slack user token", String.raw`\bxox[pe](?:-[0-9]{10,13}){3}-[a-zA-Z0-9-]{28,34}`),
  shape("slack-app-token", "Slack app-level token", String.raw`\bxapp-\d-[A-Z0-9]+-\d+-[a-z0-9]+`, "gi"),
  shape("slack-config-access-token", "Slack configuration token", String.raw`\bxoxe.xox[bp]-\d-[A-Z0-9]{163,166}`, "gi"),
  shape("slack-legacy-token", "Slack legacy token", String.raw`\bxox[os]-\d+-\d+-\d+-[a-fA-F\d]+`),
  shape("slack-legacy-workspace-token", "Slack legacy workspace token", String.raw`\bxox[ar]-(?:\d-)?[0-9a-zA-Z]{8,48}`),
  shape(
    "slack-webhook-url",
    "Slack incoming webhook URL",
    String.raw`(?:https?://)?hooks\.slack\.com/(?:services|workflows|triggers)/[A-Za-z0-9+/]{43,56}`,
  ),
  // Stripe
  shape("stripe-access-token", "Stripe secret or restricted key", String.raw`\b(?:sk|rk)_(?:test|live|prod)_[a-zA-Z0-9]{10,99}${END}`),
  // Google
  shape("gcp-api-key", "Google API key", String.raw`\bAIza[\w-]{35}${END}`),
  // Anthropic
  shape("anthropic-api-key", "Anthropic API key", String.raw`\bsk-ant-api03-[a-zA-Z0-9_-]{93}AA${END}`),
  shape("anthropic-admin-api-key", "Anthropic admin API key", String.raw`\bsk-ant-admin01-[a-zA-Z0-9_-]{93}AA${END}`),
  // OpenAI
  shape(
    "openai-api-key",
    "OpenAI API key (project, service account, admin or legacy)",
    String.raw`\bsk-(?:(?:proj|svcacct|admin)-(?:[A-Za-z0-9_-]{74}|[A-Za-z0-9_-]{58})T3BlbkFJ(?:[A-Za-z0-9_-]{74}|[A-Za-z0-9_-]{58})|[a-zA-Z0-9]{20}T3BlbkFJ[a-zA-Z0-9]{20})${END}`,
  ),
  // npm
  shape("npm-access-token", "npm access token", String.raw`\bnpm_[a-z0-9]{36}${END}`, "gi"),
  // Azure
  shape(
    "azure-ad-client-secret",
    "Azure AD client secret",
    String.raw`(?<![A-Za-z0-9_~.])[a-zA-Z0-9_~.]{3}\dQ~[a-zA-Z0-9_~.-]{31,34}(?![A-Za-z0-9_~.-])`,
  ),
  shape("azure-storage-key", "Azure storage account key (detect-secrets)", String.raw`AccountKey=\s*[A-Za-z0-9+/]{86,1000}==`, "gi"),
  shape(
    "duro-azure-shared-access-key",
    "Azure Service Bus / Event Hubs shared access key in a connection string",
    String.raw`SharedAccessKey=\s*[A-Za-z0-9+/]{42,86}={0,2}`,
    "gi",
  ),
  // AWS
  shape("aws-access-token", "AWS access key id", String.raw`\b(?:A3T[A-Z0-9]|AKIA|ASIA|ABIA|ACCA)[A-Z2-7]{16}\b`),
  // JSON Web Tokens: gitleaks' rule, and duro's looser one for short test tokens.
  shape("jwt", "JSON Web Token", String.raw`\bey[a-zA-Z0-9]{17,}\.ey[a-zA-Z0-9/\\_-]{17,}\.(?:[a-zA-Z0-9/\\_-]{10,}={0,2})?`),
  shape("duro-jwt", "JSON Web Token with short parts", String.raw`\beyJ[A-Za-z0-9_-]{5,}\.eyJ[A-Za-z0-9_-]{5,}\.[A-Za-z0-9_-]{5,}`),
  // Private keys: to the END line, or to the end of the text when it was cut.
  shape(
    "private-key",
    "PEM private key",
    String.raw`-----BEGIN[ A-Z0-9_-]{0,100}PRIVATE KEY(?: BLOCK)?-----[\s\S]*?(?:-----END[ A-Z0-9_-]{0,100}PRIVATE KEY(?: BLOCK)?-----|$)`,
    "gi",
  ),
  // duro's own: bearer credentials in headers, and `sk-` keys of any provider (OpenAI's older and other formats).
  shape("duro-bearer", "Bearer credential", String.raw`\bBearer\s+[A-Za-z0-9._~+/=-]{8,}`),
  shape("duro-sk-key", "sk- prefixed API key", String.raw`\bsk-[A-Za-z0-9_-]{16,}`),
];
