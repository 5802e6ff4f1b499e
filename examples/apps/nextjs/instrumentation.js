// Runs once when the Next.js server starts: the engine's worker runs in this process and, at SIGTERM, stops claiming,
// lets running steps finish and closes the store before the process exits. Start with NEXT_MANUAL_SIG_HANDLE=true so
// that Next leaves SIGTERM to this drain instead of exiting at once.
export async function register() {
  if (process.env.NEXT_RUNTIME !== "nodejs") return;
  const { embed } = await import("duro/http");
  const { duro } = await import("../shared/duro");
  embed({ engine: duro().engine, onShutdown: (stage) => console.log(`duro: ${stage}`) });
}
