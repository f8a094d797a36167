// KubeGenie web page: sign in with an API token, then read /api/v1. No framework, no build
// step, nothing loaded from elsewhere. Data is only ever inserted as text, never as HTML.
"use strict";

const main = document.getElementById("main");
const nav = document.getElementById("nav");
const signout = document.getElementById("signout");
const KEY = "kubegenie.token";

function el(tag, attrs = {}, ...children) {
  const e = document.createElement(tag);
  for (const [k, v] of Object.entries(attrs)) {
    if (k === "text") e.textContent = v;
    else if (k.startsWith("on")) e.addEventListener(k.slice(2), v);
    else e.setAttribute(k, v);
  }
  for (const c of children) e.append(c);
  return e;
}

async function api(path) {
  const resp = await fetch(path, { headers: { Authorization: "Bearer " + sessionStorage.getItem(KEY) } });
  const body = await resp.json().catch(() => ({}));
  if (resp.status === 401) { signOut(body.detail); throw new Error(body.detail || "signed out"); }
  if (!resp.ok) throw new Error(body.detail || resp.statusText);
  return body;
}

function status(text, kind = "info") {
  return el("p", { role: kind === "error" ? "alert" : "status", class: kind, text });
}

function table(caption, headers, rows) {
  const t = el("table", {}, el("caption", { text: caption }));
  t.append(el("thead", {}, el("tr", {}, ...headers.map((h) => el("th", { scope: "col", text: h })))));
  const tb = el("tbody");
  for (const r of rows) tb.append(el("tr", {}, ...r.map((c) => (c instanceof Node ? el("td", {}, c) : el("td", { text: String(c ?? "") })))));
  t.append(tb);
  return t;
}

function errorsTable(errors) {
  if (!errors || errors.length === 0) return "";
  return table("Clusters that failed", ["Cluster", "Reason", "Message"], errors.map((e) => [e.cluster, e.reason, e.message]));
}

function signIn(message) {
  nav.hidden = true; signout.hidden = true;
  const input = el("input", { id: "token", type: "password", autocomplete: "off", required: "", "aria-describedby": "token-help" });
  const form = el("form", { onsubmit: (ev) => { ev.preventDefault(); sessionStorage.setItem(KEY, input.value.trim()); start(); } },
    el("h2", { text: "Sign in" }),
    el("label", { for: "token", text: "API token" }), input,
    el("p", { id: "token-help", class: "help", text: "The token printed by `kubegenie demo` or `kubegenie serve`, or one from `kubegenie token create`." }),
    el("button", { type: "submit", text: "Sign in" }));
  main.replaceChildren(...(message ? [status(message, "error")] : []), form);
  input.focus();
}

function signOut(message) { sessionStorage.removeItem(KEY); signIn(message); }

async function fleet() {
  main.replaceChildren(el("h2", { text: "Fleet" }), status("Checking clusters…"));
  try {
    const h = await api("/api/v1/health");
    const rows = h.items.map((r) => [
      r.cluster,
      el("span", { class: r.reachable ? "ok" : "bad", text: r.reachable ? "reachable" : "unreachable" }),
      r.serverVersion, r.nodesTotal == null ? "" : `${r.nodesReady}/${r.nodesTotal}`,
      r.latencyMs == null ? "" : `${r.latencyMs} ms`, r.error ? `${r.error.class}: ${r.error.message}` : "",
    ]);
    main.replaceChildren(el("h2", { text: "Fleet" }),
      table(`${h.items.length} clusters`, ["Cluster", "Reachability", "Version", "Nodes ready", "API latency", "Error"], rows),
      errorsTable(h.errors));
  } catch (e) { main.append(status(e.message, "error")); }
}

function resourcesForm() {
  const kind = el("input", { id: "kind", value: "pods", list: "kinds", required: "" });
  const kinds = el("datalist", { id: "kinds" }, ...["pods", "deployments", "services", "nodes", "namespaces", "events", "statefulsets", "jobs"].map((k) => el("option", { value: k })));
  const ns = el("input", { id: "ns", placeholder: "default" });
  const all = el("input", { id: "all", type: "checkbox", checked: "" });
  const clusters = el("input", { id: "clusters", placeholder: "all, or prod-*,staging" });
  const selector = el("input", { id: "selector", placeholder: "app=web" });
  const out = el("div", { "aria-live": "polite" });
  const form = el("form", { class: "query", onsubmit: async (ev) => {
    ev.preventDefault();
    const q = new URLSearchParams();
    if (all.checked) q.set("allNamespaces", "true"); else if (ns.value) q.set("namespace", ns.value);
    if (clusters.value) q.set("clusters", clusters.value);
    if (selector.value) q.set("labelSelector", selector.value);
    out.replaceChildren(status("Loading…"));
    try {
      const list = await api(`/api/v1/resources/${encodeURIComponent(kind.value.trim())}?${q}`);
      const rows = list.items.map((i) => {
        const m = i.object.metadata || {};
        const st = i.object.status || {};
        return [i.cluster, m.namespace, m.name, st.phase || (st.readyReplicas != null ? `${st.readyReplicas} ready` : ""), m.creationTimestamp];
      });
      out.replaceChildren(table(`${rows.length} ${kind.value}`, ["Cluster", "Namespace", "Name", "Status", "Created"], rows), errorsTable(list.errors));
    } catch (e) { out.replaceChildren(status(e.message, "error")); }
  } },
  el("label", { for: "kind", text: "Kind" }), kind, kinds,
  el("label", { for: "ns", text: "Namespace" }), ns,
  el("label", { class: "inline" }, all, " all namespaces"),
  el("label", { for: "clusters", text: "Clusters" }), clusters,
  el("label", { for: "selector", text: "Label selector" }), selector,
  el("button", { type: "submit", text: "Get" }));
  main.replaceChildren(el("h2", { text: "Resources" }), form, out);
}

function route() {
  const view = location.hash === "#resources" ? "resources" : "fleet";
  for (const a of nav.querySelectorAll("a")) a.setAttribute("aria-current", a.dataset.view === view ? "page" : "false");
  if (view === "resources") resourcesForm(); else fleet();
}

async function start() {
  try {
    const me = await api("/api/v1/whoami");
    nav.replaceChildren(
      el("a", { href: "#fleet", "data-view": "fleet", text: "Fleet" }),
      el("a", { href: "#resources", "data-view": "resources", text: "Resources" }),
      el("span", { class: "who", text: `${me.subject} (${me.role})` }));
    nav.hidden = false; signout.hidden = false;
    route();
  } catch (e) { /* api() already showed the sign-in form */ }
}

signout.addEventListener("click", () => signOut());
window.addEventListener("hashchange", () => { if (sessionStorage.getItem(KEY)) route(); });
// `kubegenie demo` opens the page with #token=…: keep it for this tab, then drop it from the URL.
const m = location.hash.match(/^#token=(.+)$/);
if (m) { sessionStorage.setItem(KEY, decodeURIComponent(m[1])); history.replaceState(null, "", location.pathname); }
if (sessionStorage.getItem(KEY)) start(); else signIn();
