// Fixture: a module that loads fine but exports no workflow, for no_workflows.
export const notAWorkflow = { name: "order", run: async () => "nothing" };
export default function helper(): string {
  return "not a workflow either";
}
