// Small DOM helpers. Everything the console shows is built with h(), which
// sets text as text nodes and never parses HTML, so names, descriptions,
// tags and error messages from the server cannot inject markup.

export function h(tag, attrs = {}, ...children) {
  const el = document.createElement(tag);
  for (const [k, v] of Object.entries(attrs)) {
    if (v === undefined || v === null || v === false) continue;
    if (k.startsWith("on")) el.addEventListener(k.slice(2), v);
    else if (k === "class") el.className = v;
    else if (k === "value") el.value = v;
    else if (k === "checked") el.checked = Boolean(v);
    else el.setAttribute(k, v === true ? "" : v);
  }
  for (const c of children.flat()) {
    if (c === undefined || c === null || c === false) continue;
    el.append(c instanceof Node ? c : String(c));
  }
  return el;
}

// showError puts an error (a KmsError or any Error) in the banner at the top
// of the page; clearError removes it.
export function showError(err) {
  const banner = document.getElementById("error");
  banner.replaceChildren(
    h("strong", { "data-test": "error-type" }, err.type || err.name || "Error"),
    " ",
    h("span", { "data-test": "error-message" }, err.message || String(err)),
  );
  banner.hidden = false;
}

export function clearError() {
  const banner = document.getElementById("error");
  banner.hidden = true;
  banner.replaceChildren();
}

export function flash(text) {
  const note = document.getElementById("flash");
  note.textContent = text;
  note.hidden = false;
}

export function clearFlash() {
  const note = document.getElementById("flash");
  note.hidden = true;
  note.textContent = "";
}

// guarded runs an action, showing its failure in the banner instead of
// losing it in the console log. It returns whether the action succeeded.
// The messages of the previous action go first: a success note left on
// the page would read as the outcome of this one.
export async function guarded(action) {
  clearError();
  clearFlash();
  try {
    await action();
    return true;
  } catch (err) {
    showError(err);
    return false;
  }
}

// formatDate shows an AWS JSON timestamp (epoch seconds) in the user's
// locale and in UTC, like the AWS console's dates with their time zone.
export function formatDate(epochSeconds) {
  if (epochSeconds === undefined || epochSeconds === null) return "-";
  const d = new Date(epochSeconds * 1000);
  return `${d.toISOString().replace("T", " ").replace(/\.\d{3}Z$/, "")} UTC`;
}

// field is one label/value pair of a definition list.
export function field(label, value, test) {
  return [h("dt", {}, label), h("dd", { "data-test": test }, value === undefined || value === "" ? "-" : value)];
}

// modal shows a <dialog> with content and resolves with the value of the
// button that closed it ("" on Escape).
export function modal(id, title, content, buttons) {
  const dialog = h("dialog", { id, class: "modal" },
    h("form", { method: "dialog" },
      h("h2", {}, title),
      content,
      h("div", { class: "buttons" }, buttons)));
  document.body.append(dialog);
  return new Promise((resolve) => {
    dialog.addEventListener("close", () => {
      dialog.remove();
      resolve(dialog.returnValue);
    });
    dialog.showModal();
  });
}

// base64 of bytes, and bytes of base64: the JSON API carries blobs as
// base64 strings.
export function toBase64(bytes) {
  let s = "";
  for (let i = 0; i < bytes.length; i += 0x8000) s += String.fromCharCode(...bytes.subarray(i, i + 0x8000));
  return btoa(s);
}

export function fromBase64(text) {
  return Uint8Array.from(atob(text), (c) => c.charCodeAt(0));
}

// downloadLink is an <a download> of raw bytes, the way the AWS console hands
// out WrappingPublicKey.bin and ImportToken.bin.
export function downloadLink(id, filename, bytes, label) {
  const url = URL.createObjectURL(new Blob([bytes], { type: "application/octet-stream" }));
  return h("a", { id, href: url, download: filename, class: "button" }, label);
}
