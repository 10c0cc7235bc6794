// "Tags": ListResourceTags, TagResource (add or change) and UntagResource.
import { h, guarded } from "./dom.js";
import * as kms from "./kms.js";

export async function tagsTab(panel, m, reload) {
  const tags = await kms.all("ListResourceTags", { KeyId: m.KeyId }, "Tags");
  const editable = m.KeyManager === "CUSTOMER";
  const key = h("input", { id: "tag-key", placeholder: "Tag key", required: true });
  const value = h("input", { id: "tag-value", placeholder: "Tag value" });
  const form = h("form", { id: "add-tag-form", class: "inline" }, key, value,
    h("button", { type: "submit", id: "add-tag" }, "Add tag"));
  form.addEventListener("submit", (e) => {
    e.preventDefault();
    guarded(async () => {
      await kms.call("TagResource", { KeyId: m.KeyId, Tags: [{ TagKey: key.value, TagValue: value.value }] });
      await reload(`Tag ${key.value} was saved.`);
    });
  });
  panel.replaceChildren(h("h2", {}, "Tags"),
    tags.length === 0 ? h("p", { class: "muted" }, "This key has no tags.") :
      h("table", { id: "tag-list" },
        h("thead", {}, h("tr", {}, h("th", {}, "Tag key"), h("th", {}, "Tag value"), editable ? h("th", {}, "") : null)),
        h("tbody", {}, tags.map((t) => h("tr", { "data-tag-key": t.TagKey },
          h("td", {}, t.TagKey), h("td", { "data-test": "tag-value" }, t.TagValue),
          editable ? h("td", {}, h("button", {
            type: "button", class: "link", "data-test": "remove-tag", onclick: () => guarded(async () => {
              await kms.call("UntagResource", { KeyId: m.KeyId, TagKeys: [t.TagKey] });
              await reload(`Tag ${t.TagKey} was removed.`);
            }),
          }, "Remove")) : null)))),
    editable ? form : null);
}
