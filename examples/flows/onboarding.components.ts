// Components of onboarding.yaml and welcome-sequence.yaml: stand-ins for an account service, a billing
// provider, workspace provisioning and a mailer.
import type { StepContext } from "duro";

export async function create_account(input: { email: string; name: string }) {
  return { id: `acct-${input.email.split("@")[0]}`, name: input.name };
}

export async function create_billing_customer(input: { accountId: string; plan: string }) {
  return { customerId: `cus-${input.accountId}`, plan: input.plan };
}

export async function provision_workspace(input: { accountId: string }) {
  return { url: `https://${input.accountId}.workspace.example` };
}

export async function send_email(input: { to: string; template: string }, step: StepContext) {
  return { to: input.to, template: input.template, messageId: step.idempotencyKey };
}
