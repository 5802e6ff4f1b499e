// Fixture: a schedule whose input the workflow's schema refuses, for `duro worker` failing fast.
import { schedule } from "duro";
import { validated } from "./validated.js";

export const broken = schedule("broken", { cron: "0 2 * * *" }, validated, { sku: "", qty: -1 });
