// "Key policy": GetKeyPolicy, and "Edit" -> PutKeyPolicy.
import { h, guarded } from "./dom.js";
import * as kms from "./kms.js";

export async function policyTab(panel, m, reload) {
  const { Policy } = await kms.call("GetKeyPolicy", { KeyId: m.KeyId, PolicyName: "default" });
  const pretty = prettyJSON(Policy);
  const view = () => panel.replaceChildren(
    h("div", { class: "panel-head" }, h("h2", {}, "Key policy"),
      m.KeyManager === "CUSTOMER" ? h("button", { type: "button", id: "edit-policy", onclick: edit }, "Edit") : null),
    h("pre", { id: "key-policy", "data-test": "key-policy" }, pretty));
  const edit = () => {
    const text = h("textarea", { id: "policy-editor", rows: "24", spellcheck: "false" });
    text.value = pretty;
    panel.replaceChildren(h("h2", {}, "Edit key policy"), text,
      h("div", { class: "buttons" },
        h("button", { type: "button", id: "cancel-policy", onclick: view }, "Cancel"),
        h("button", {
          type: "button", id: "save-policy", class: "primary", onclick: () => guarded(async () => {
            await kms.call("PutKeyPolicy", { KeyId: m.KeyId, PolicyName: "default", Policy: text.value });
            await reload("The key policy was saved.");
          }),
        }, "Save changes")));
  };
  view();
}

// prettyJSON indents a policy for reading; a document that is not JSON
// (it cannot be, the server checks) is shown as it is.
function prettyJSON(text) {
  try {
    return JSON.stringify(JSON.parse(text), null, 2);
  } catch {
    return text;
  }
}
