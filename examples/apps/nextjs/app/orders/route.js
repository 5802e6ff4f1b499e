// The app's own route: POST /orders {"item": "lamp"} starts an order run.
import { startOrder } from "../../../shared/duro";

export const dynamic = "force-dynamic";

/** @param {Request} request */
export function POST(request) {
  return startOrder(request);
}
