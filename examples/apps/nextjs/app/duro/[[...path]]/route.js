// duro's API, UI and event streams at /duro: the optional catch-all takes /duro, /duro/ and everything under it.
import { nextRoute } from "duro/http";
import { duro } from "../../../../shared/duro";

// Every answer is live (runs change), and event streams must not be cached or buffered.
export const dynamic = "force-dynamic";

// The engine opens at the first request, not when `next build` loads this module.
export const { GET, POST, PUT, PATCH, DELETE, HEAD, OPTIONS } = nextRoute((request) => duro().handler(request));
