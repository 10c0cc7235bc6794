// "Aliases": ListAliases for the key, CreateAlias and DeleteAlias.
import { h, guarded } from "./dom.js";
import * as kms from "./kms.js";

export async function aliasesTab(panel, m, reload) {
  const aliases = await kms.all("ListAliases", { KeyId: m.KeyId }, "Aliases");
  const editable = m.KeyManager === "CUSTOMER";
  const name = h("input", { id: "alias-name", placeholder: "alias/example", required: true });
  const form = h("form", { id: "create-alias-form", class: "inline" }, name,
    h("button", { type: "submit", id: "create-alias" }, "Create alias"));
  form.addEventListener("submit", (e) => {
    e.preventDefault();
    guarded(async () => {
      const aliasName = withPrefix(name.value.trim());
      await kms.call("CreateAlias", { AliasName: aliasName, TargetKeyId: m.KeyId });
      await reload(`Alias ${aliasName} was created.`);
    });
  });
  panel.replaceChildren(h("h2", {}, "Aliases"),
    aliases.length === 0 ? h("p", { class: "muted" }, "This key has no aliases.") :
      h("table", { id: "alias-list" },
        h("thead", {}, h("tr", {}, h("th", {}, "Alias name"), h("th", {}, "Alias ARN"), editable ? h("th", {}, "") : null)),
        h("tbody", {}, aliases.map((a) => h("tr", { "data-alias": a.AliasName },
          h("td", {}, a.AliasName), h("td", {}, a.AliasArn),
          editable ? h("td", {}, h("button", {
            type: "button", class: "link", "data-test": "delete-alias", onclick: () => guarded(async () => {
              await kms.call("DeleteAlias", { AliasName: a.AliasName });
              await reload(`Alias ${a.AliasName} was deleted.`);
            }),
          }, "Delete")) : null)))),
    editable ? form : null);
}

// withPrefix lets the user type an alias with or without "alias/", as the
// AWS console does.
export function withPrefix(name) {
  return name.startsWith("alias/") ? name : `alias/${name}`;
}
