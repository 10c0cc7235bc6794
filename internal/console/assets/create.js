// "Create key": the AWS console's wizard on one page. Key type, key usage
// and key spec; under "Advanced options" the key material origin; then
// alias, description and tags. CreateKey, then CreateAlias for the alias.
import { h, guarded, flash } from "./dom.js";
import * as kms from "./kms.js";
import { withPrefix } from "./tab-aliases.js";

// USAGES lists, per key type, each key usage and the key specs it allows
// (Trent's key-spec table; the server checks again and names a bad pair).
const USAGES = {
  SYMMETRIC: { ENCRYPT_DECRYPT: ["SYMMETRIC_DEFAULT"] },
  ASYMMETRIC: {
    ENCRYPT_DECRYPT: ["RSA_2048", "RSA_3072", "RSA_4096", "SM2"],
    SIGN_VERIFY: ["RSA_2048", "RSA_3072", "RSA_4096", "ECC_NIST_P256", "ECC_NIST_P384", "ECC_NIST_P521",
      "ECC_SECG_P256K1", "ECC_NIST_EDWARDS25519", "ML_DSA_44", "ML_DSA_65", "ML_DSA_87", "SM2"],
    KEY_AGREEMENT: ["ECC_NIST_P256", "ECC_NIST_P384", "ECC_NIST_P521", "SM2"],
    ENCAPSULATE_DECAPSULATE: ["ML_KEM_512", "ML_KEM_768", "ML_KEM_1024"],
  },
  HMAC: { GENERATE_VERIFY_MAC: ["HMAC_224", "HMAC_256", "HMAC_384", "HMAC_512"] },
};

const TYPE_LABELS = { SYMMETRIC: "Symmetric", ASYMMETRIC: "Asymmetric", HMAC: "HMAC" };

export async function createKeyPage(page) {
  const usage = h("select", { id: "key-usage" });
  const spec = h("select", { id: "key-spec" });
  const types = Object.keys(USAGES).map((t) =>
    h("label", { class: "check" }, h("input", { type: "radio", name: "keyType", id: `key-type-${t.toLowerCase()}`, value: t, checked: t === "SYMMETRIC" }), TYPE_LABELS[t]));
  const keyType = () => page.querySelector("input[name=keyType]:checked").value;
  const fillSpecs = () => spec.replaceChildren(...USAGES[keyType()][usage.value].map((s) => h("option", { value: s }, s)));
  const fillUsages = () => {
    usage.replaceChildren(...Object.keys(USAGES[keyType()]).map((u) => h("option", { value: u }, u)));
    fillSpecs();
  };
  usage.addEventListener("change", fillSpecs);
  const origin = h("select", { id: "key-origin" },
    h("option", { value: "AWS_KMS" }, "KMS - recommended"),
    h("option", { value: "EXTERNAL" }, "External (Import key material)"));
  const alias = h("input", { id: "key-alias", placeholder: "alias/example" });
  const description = h("textarea", { id: "key-description", rows: "3" });
  const tagRows = h("div", { id: "tag-rows" });
  const addTagRow = () => tagRows.append(h("div", { class: "inline tag-row" },
    h("input", { class: "tag-key", placeholder: "Tag key" }), h("input", { class: "tag-value", placeholder: "Tag value" })));
  addTagRow();
  const form = h("form", { id: "create-key-form", class: "panel" },
    h("h1", {}, "Create key"),
    h("h2", {}, "Step 1: Configure key"),
    h("fieldset", { id: "key-type" }, h("legend", {}, "Key type"), types),
    h("label", {}, "Key usage", usage),
    h("label", {}, "Key spec", spec),
    h("details", { id: "advanced-options" }, h("summary", {}, "Advanced options"),
      h("label", {}, "Key material origin", origin)),
    h("h2", {}, "Step 2: Add labels"),
    h("label", {}, "Alias", alias),
    h("label", {}, "Description - optional", description),
    h("fieldset", {}, h("legend", {}, "Tags - optional"), tagRows,
      h("button", { type: "button", id: "add-tag-row", onclick: addTagRow }, "Add tag")),
    h("div", { class: "buttons" },
      h("a", { href: "#/keys", class: "button" }, "Cancel"),
      h("button", { type: "submit", id: "create-key-submit", class: "primary" }, "Finish")));
  for (const r of form.querySelectorAll("input[name=keyType]")) r.addEventListener("change", fillUsages);
  form.addEventListener("submit", (e) => {
    e.preventDefault();
    guarded(async () => {
      const input = { KeySpec: spec.value, KeyUsage: usage.value, Origin: origin.value };
      if (description.value) input.Description = description.value;
      const tags = [...tagRows.querySelectorAll(".tag-row")]
        .map((r) => ({ TagKey: r.querySelector(".tag-key").value, TagValue: r.querySelector(".tag-value").value }))
        .filter((t) => t.TagKey !== "" || t.TagValue !== "");
      if (tags.length) input.Tags = tags;
      const { KeyMetadata } = await kms.call("CreateKey", input);
      if (alias.value.trim()) {
        try {
          await kms.call("CreateAlias", { AliasName: withPrefix(alias.value.trim()), TargetKeyId: KeyMetadata.KeyId });
        } catch (err) {
          // The key exists although its alias was refused: say so, so that
          // the user does not create a second key by trying again.
          flash(`Key ${KeyMetadata.KeyId} was created, but its alias was not.`);
          throw err;
        }
      }
      location.hash = `#/key/${encodeURIComponent(KeyMetadata.KeyId)}`;
    });
  });
  page.replaceChildren(form);
  fillUsages();
}
