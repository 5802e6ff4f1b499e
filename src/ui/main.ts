// The web UI: runs list (search and filters in the URL, live), run page (timeline, child runs, flow graph, model
// calls, actions, live), workflows and the inbox. Plain DOM; routes live in the URL hash (#/runs, #/runs/<id>,
// #/workflows[/<name>], #/inbox), so back and forward work and every view is a link.
import { apiKey, setApiKey } from "./api.js";
import { inboxView } from "./inbox.js";
import { runView } from "./run-page.js";
import { runsView } from "./runs-list.js";
import { workflowsView } from "./workflows.js";
import "./style.css";

const app = document.getElementById("app") as HTMLElement;
/** Stops the live streams of the view being left. */
const leave: Array<() => void> = [];

function route(): void {
  for (const stop of leave.splice(0)) stop();
  const [path = "", query = ""] = location.hash.replace(/^#/, "").split("?");
  const params = new URLSearchParams(query);
  for (const link of document.querySelectorAll("[data-nav]"))
    link.classList.toggle("active", path.startsWith(`/${link.getAttribute("data-nav")}`));
  const runMatch = /^\/runs\/([^/]+)$/.exec(path);
  const workflowMatch = /^\/workflows(?:\/([^/]+))?$/.exec(path);
  if (runMatch) runView(app, decodeURIComponent(runMatch[1] as string), leave);
  else if (workflowMatch) workflowsView(app, workflowMatch[1] === undefined ? undefined : decodeURIComponent(workflowMatch[1]));
  else if (path === "/inbox") inboxView(app, leave);
  else runsView(app, params, leave);
}

const keyForm = document.getElementById("key-form") as HTMLFormElement;
const keyInput = document.getElementById("key") as HTMLInputElement;
keyInput.value = apiKey();
keyForm.addEventListener("submit", (event) => {
  event.preventDefault();
  setApiKey(keyInput.value.trim());
  route();
});
window.addEventListener("hashchange", route);
route();
