// The key lists: "Customer managed keys" and "AWS managed keys", built from
// ListKeys, ListAliases and one DescribeKey per key (ListKeys returns only
// IDs and ARNs), as any API client would.
import { h } from "./dom.js";
import * as kms from "./kms.js";
import * as session from "./session.js";

// aliasesByKey maps key IDs to their alias names.
export async function aliasesByKey() {
  const byKey = new Map();
  for (const a of await kms.all("ListAliases", {}, "Aliases")) {
    if (!a.TargetKeyId) continue;
    if (!byKey.has(a.TargetKeyId)) byKey.set(a.TargetKeyId, []);
    byKey.get(a.TargetKeyId).push(a.AliasName);
  }
  return byKey;
}

export async function keyListPage(page, manager, stale) {
  const title = manager === "AWS" ? "AWS managed keys" : "Customer managed keys";
  const heading = h("div", { class: "page-head" }, h("h1", {}, title),
    manager === "CUSTOMER" ? h("a", { href: "#/create", id: "create-key", class: "button primary" }, "Create key") : null);
  const status = h("p", { class: "muted", id: "key-list-status" }, "Loading keys…");
  page.replaceChildren(heading, status);
  const [keys, aliases] = await Promise.all([kms.all("ListKeys", {}, "Keys"), aliasesByKey()]);
  const described = await Promise.all(keys.map((k) => kms.call("DescribeKey", { KeyId: k.KeyId }).then((d) => d.KeyMetadata)));
  if (stale()) return;
  const rows = described.filter((m) => m.KeyManager === manager)
    .sort((a, b) => (b.CreationDate || 0) - (a.CreationDate || 0));
  const table = h("table", { id: "key-list", "data-test": "key-list", "data-region": session.region() },
    h("thead", {}, h("tr", {}, ["Aliases", "Key ID", "Status", "Key spec", "Key usage"].map((c) => h("th", {}, c)))),
    h("tbody", {}, rows.map((m) => h("tr", { "data-key-id": m.KeyId },
      h("td", { "data-test": "key-aliases" }, (aliases.get(m.KeyId) || []).join(", ") || "-"),
      h("td", {}, h("a", { href: `#/key/${encodeURIComponent(m.KeyId)}`, "data-test": "key-link" }, m.KeyId)),
      h("td", { "data-test": "key-status" }, m.KeyState),
      h("td", { "data-test": "key-spec" }, m.KeySpec),
      h("td", { "data-test": "key-usage" }, m.KeyUsage)))));
  status.textContent = `${rows.length} ${rows.length === 1 ? "key" : "keys"} in ${session.region()}`;
  status.setAttribute("data-count", String(rows.length));
  page.append(table);
}
