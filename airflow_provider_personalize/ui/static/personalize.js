"use strict";
// The page is static; its data comes from the view's endpoints, which need the caller's Airflow token:
// Airflow 3.2+ keeps it in the `_token` cookie (sent with every same-origin request), while the UIs of
// Airflow 3.0 and 3.1 move it to localStorage and send it as a bearer header, as done here.
// The page's state (connection, region, dataset group, page of groups) lives in its URL's query.

const state = new URLSearchParams(window.location.search);
const groupsPane = document.getElementById("groups");
const groupPane = document.getElementById("group");

function storedToken() {
  try {
    return window.localStorage.getItem("token");
  } catch {
    return null;
  }
}

async function request(path, withStoredToken) {
  const headers = { Accept: "text/html" };
  const token = withStoredToken ? storedToken() : null;
  if (token) headers.Authorization = `Bearer ${token}`;
  const response = await fetch(path, { headers, credentials: "same-origin" });
  // A token left over from an older UI must not hide a valid cookie.
  if (token && (response.status === 401 || response.status === 403)) return request(path, false);
  return response;
}

function showMessage(pane, text, link) {
  const message = document.createElement("p");
  message.className = "message error";
  message.textContent = text;
  if (link) {
    const anchor = document.createElement("a");
    anchor.href = link.href;
    anchor.target = "_top";
    anchor.textContent = link.text;
    message.append(" ", anchor);
  }
  pane.replaceChildren(message);
}

// pygal's tooltips need its script from the internet: native tooltips from each point's desc instead.
function addChartTooltips(pane) {
  for (const dot of pane.querySelectorAll("svg .dots circle.dot")) {
    const parts = [...dot.parentNode.querySelectorAll("desc.label, desc.value")].map((d) => d.textContent);
    const title = document.createElementNS("http://www.w3.org/2000/svg", "title");
    title.textContent = parts.join(": ");
    dot.append(title);
  }
}

async function show(pane, path) {
  pane.setAttribute("aria-busy", "true");
  try {
    const response = await request(path, true);
    const type = response.headers.get("content-type") || "";
    if (response.status === 401) {
      showMessage(pane, "Sign in to Airflow to see Personalize.", { href: "../", text: "Open Airflow" });
    } else if (type.startsWith("text/html")) {
      pane.innerHTML = await response.text();
      addChartTooltips(pane);
    } else {
      const body = await response.json().catch(() => ({}));
      const detail = typeof body.detail === "string" ? body.detail : JSON.stringify(body.detail || body);
      showMessage(pane, `The view could not answer (HTTP ${response.status}): ${detail}`);
    }
  } catch (error) {
    showMessage(pane, `The Airflow API server did not answer: ${error.message}`);
  } finally {
    pane.removeAttribute("aria-busy");
  }
}

function source() {
  const query = new URLSearchParams();
  query.set("conn_id", state.get("conn_id") || "aws_default");
  if (state.get("region")) query.set("region", state.get("region"));
  return query;
}

async function load() {
  const form = document.getElementById("source");
  form.conn_id.value = state.get("conn_id") || "aws_default";
  form.region.value = state.get("region") || "";

  const groupsQuery = source();
  if (state.get("groups_token")) groupsQuery.set("next_token", state.get("groups_token"));
  await show(groupsPane, `dataset-groups?${groupsQuery}`);

  const first = groupsPane.querySelector("a[data-arn]");
  const arn = state.get("group") || (first && first.dataset.arn);
  for (const link of groupsPane.querySelectorAll("a[data-arn]")) {
    if (link.dataset.arn === arn) link.setAttribute("aria-current", "page");
  }
  if (!arn) return;
  const groupQuery = source();
  groupQuery.set("arn", arn);
  await show(groupPane, `dataset-groups/overview?${groupQuery}`);
}

load();
