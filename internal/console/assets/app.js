// The console's shell: the secure-context check, the sign-in form, the
// Region selector and the hash router that picks a page.
import { h, clearError, clearFlash, guarded } from "./dom.js";
import * as session from "./session.js";
import { REGIONS } from "./regions.js";
import { keyListPage } from "./keylist.js";
import { keyDetailPage } from "./keydetail.js";
import { createKeyPage } from "./create.js";

const main = () => document.getElementById("main");

// WebCrypto, which signs every request, exists only in secure contexts:
// https, or http to localhost / 127.0.0.1 / ::1.
function secureContextOK() {
  return window.isSecureContext && window.crypto && crypto.subtle;
}

function insecurePage() {
  main().replaceChildren(h("section", { id: "insecure-context", class: "panel" },
    h("h1", {}, "This page is not a secure context"),
    h("p", {}, "The console signs each request with your credentials using the browser's WebCrypto API, " +
      "which browsers offer only to secure contexts. Open the console over https (trent serve --tls-cert ...), " +
      "or over http on localhost or 127.0.0.1."),
    h("p", {}, `This page was loaded from ${location.origin}.`)));
}

function signInPage() {
  const form = h("form", { id: "sign-in-form", class: "panel" },
    h("h1", {}, "Sign in with an access key"),
    h("p", {}, "The console signs every request in your browser with AWS Signature Version 4. " +
      "Your credentials are kept in this tab's session storage only and are never sent to Trent; " +
      "with trent serve --dev any access key and secret are accepted."),
    h("label", {}, "Access key ID", h("input", { id: "access-key-id", name: "accessKeyId", required: true, autocomplete: "username" })),
    h("label", {}, "Secret access key", h("input", { id: "secret-access-key", name: "secretAccessKey", type: "password", required: true, autocomplete: "current-password" })),
    h("label", {}, "Session token (temporary credentials only)", h("input", { id: "session-token", name: "sessionToken", autocomplete: "off" })),
    h("div", { class: "buttons" }, h("button", { type: "submit", id: "sign-in", class: "primary" }, "Sign in")));
  form.addEventListener("submit", (e) => {
    e.preventDefault();
    const data = new FormData(form);
    session.setCredentials({
      accessKeyId: data.get("accessKeyId").trim(),
      secretAccessKey: data.get("secretAccessKey"),
      sessionToken: data.get("sessionToken").trim(),
    });
    if (location.hash === "" || location.hash.startsWith("#/signin")) location.hash = "#/keys";
    else route();
  });
  main().replaceChildren(form);
}

function setupHeader() {
  const select = document.getElementById("region");
  const current = session.region();
  const known = REGIONS.some(([code]) => code === current);
  const options = known ? REGIONS : [[current, current], ...REGIONS];
  select.replaceChildren(...options.map(([code, name]) => h("option", { value: code }, `${name} ${code}`)));
  select.value = current;
  select.addEventListener("change", () => {
    session.setRegion(select.value);
    // A key belongs to one Region: a detail page of the old one would not
    // resolve, so go back to the list, as the AWS console does.
    if (location.hash.startsWith("#/key/")) location.hash = "#/keys";
    else route();
  });
  document.getElementById("sign-out").addEventListener("click", () => {
    session.signOut();
    location.hash = "#/signin";
    route();
  });
}

let routing = 0;

async function route() {
  const generation = ++routing;
  clearError();
  clearFlash();
  if (!secureContextOK()) return insecurePage();
  const creds = session.credentials();
  document.getElementById("sign-out").hidden = !creds;
  document.getElementById("nav").hidden = !creds;
  document.getElementById("whoami").textContent = creds ? creds.accessKeyId : "";
  if (!creds) return signInPage();
  const parts = location.hash.replace(/^#\/?/, "").split("/").map(decodeURIComponent);
  const page = h("div", { class: "page" });
  main().replaceChildren(page);
  const stale = () => generation !== routing;
  for (const a of document.querySelectorAll("#nav a")) a.classList.toggle("active", a.getAttribute("href") === `#/${parts[0]}`);
  await guarded(async () => {
    switch (parts[0]) {
      case "aws-keys":
        return keyListPage(page, "AWS", stale);
      case "create":
        return createKeyPage(page);
      case "key":
        return keyDetailPage(page, parts[1], parts[2], stale);
      default:
        return keyListPage(page, "CUSTOMER", stale);
    }
  });
}

export function refresh() {
  return route();
}

setupHeader();
window.addEventListener("hashchange", route);
route();
