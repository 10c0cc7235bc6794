// "Key material" of a key with imported material (Origin EXTERNAL), after
// the AWS documentation's console procedures for importing key material:
// download the wrapping public key and import token, wrap the key material
// outside (openssl, or any tool), upload it with the token, and delete it
// again.
import { h, guarded, field, formatDate, modal, downloadLink, fromBase64, toBase64 } from "./dom.js";
import * as kms from "./kms.js";

const WRAPPING_KEY_SPECS = ["RSA_2048", "RSA_3072", "RSA_4096"];
const WRAPPING_ALGORITHMS = ["RSAES_OAEP_SHA_256", "RSAES_OAEP_SHA_1", "RSA_AES_KEY_WRAP_SHA_256",
  "RSA_AES_KEY_WRAP_SHA_1", "RSAES_PKCS1_V1_5"];

const select = (id, options, value) =>
  h("select", { id }, options.map((o) => h("option", { value: o, selected: o === value }, o)));

export async function materialTab(panel, m, reload) {
  const pending = m.KeyState === "PendingImport";
  panel.replaceChildren(
    h("h2", {}, "Key material"),
    h("dl", { class: "fields" },
      field("Key material status", pending ? "Pending import" : "Imported", "material-status"),
      field("Expiration model", m.ExpirationModel || "-", "material-expiration-model"),
      field("Expiration date", m.ValidTo ? formatDate(m.ValidTo) : "This key material does not expire", "material-valid-to"),
      field("Key material ID", m.CurrentKeyMaterialId, "material-id")),
    downloadSection(m),
    uploadSection(m, reload),
    pending ? null : deleteSection(m, reload));
}

function downloadSection(m) {
  const spec = select("wrapping-key-spec", WRAPPING_KEY_SPECS, "RSA_4096");
  const algorithm = select("wrapping-algorithm", WRAPPING_ALGORITHMS, "RSAES_OAEP_SHA_256");
  const result = h("div", { id: "import-parameters" });
  const download = h("button", {
    type: "button", id: "download-wrapping", class: "primary", onclick: () => guarded(async () => {
      const out = await kms.call("GetParametersForImport", {
        KeyId: m.KeyId, WrappingKeySpec: spec.value, WrappingAlgorithm: algorithm.value,
      });
      result.replaceChildren(
        h("p", {}, `The import token is valid until ${formatDate(out.ParametersValidTo)}. ` +
          `Wrap your key material with the public key using ${algorithm.value}, then upload it with this token.`),
        h("div", { class: "buttons" },
          downloadLink("link-wrapping-key", "WrappingPublicKey.bin", fromBase64(out.PublicKey), "Download WrappingPublicKey.bin"),
          downloadLink("link-import-token", "ImportToken.bin", fromBase64(out.ImportToken), "Download ImportToken.bin")));
    }),
  }, "Download wrapping public key and import token");
  return h("section", { id: "download-section" },
    h("h3", {}, "Download wrapping public key and import token"),
    h("label", {}, "Wrapping key spec", spec),
    h("label", {}, "Wrapping algorithm", algorithm),
    h("div", { class: "buttons" }, download),
    result);
}

// IMPORT_TYPES are ImportKeyMaterial's ImportType values, as the console
// words them: new key material is imported first and made current by
// "Rotate now" on the Key rotation tab (on-demand rotation of imported key
// material, symmetric encryption keys only).
const IMPORT_TYPES = [
  ["EXISTING_KEY_MATERIAL", "Import existing key material"],
  ["NEW_KEY_MATERIAL", "Import new key material (for on-demand rotation)"],
];

function uploadSection(m, reload) {
  const material = h("input", { type: "file", id: "file-key-material", required: true });
  const token = h("input", { type: "file", id: "file-import-token", required: true });
  const pending = m.KeyState === "PendingImport";
  const importType = h("select", { id: "import-type" },
    IMPORT_TYPES.map(([value, text]) => h("option", { value }, text)));
  const description = h("input", { type: "text", id: "key-material-description", maxlength: "256" });
  const never = h("input", { type: "radio", name: "expiration", id: "expiration-none", value: "KEY_MATERIAL_DOES_NOT_EXPIRE", checked: true });
  const expires = h("input", { type: "radio", name: "expiration", id: "expiration-date", value: "KEY_MATERIAL_EXPIRES" });
  const validTo = h("input", { type: "date", id: "valid-to" });
  const form = h("form", { id: "upload-form" },
    h("h3", {}, "Upload key material"),
    h("label", {}, "Wrapped key material", material),
    h("label", {}, "Import token", token),
    // A key pending import takes its first (or its deleted) material: the
    // import type only matters once the key has material.
    pending ? null : h("label", {}, "Import type", importType),
    h("label", {}, "Key material description (optional)", description),
    h("fieldset", {}, h("legend", {}, "Key material expiration"),
      h("label", { class: "check" }, never, "Key material does not expire"),
      h("label", { class: "check" }, expires, "Key material expires"),
      h("label", {}, "Expiration date (UTC)", validTo)),
    h("div", { class: "buttons" }, h("button", { type: "submit", id: "import-material", class: "primary" }, "Upload key material")));
  form.addEventListener("submit", (e) => {
    e.preventDefault();
    guarded(async () => {
      const input = {
        KeyId: m.KeyId,
        EncryptedKeyMaterial: toBase64(new Uint8Array(await material.files[0].arrayBuffer())),
        ImportToken: toBase64(new Uint8Array(await token.files[0].arrayBuffer())),
        ExpirationModel: expires.checked ? "KEY_MATERIAL_EXPIRES" : "KEY_MATERIAL_DOES_NOT_EXPIRE",
      };
      if (!pending) input.ImportType = importType.value;
      if (description.value !== "") input.KeyMaterialDescription = description.value;
      if (expires.checked) {
        // An empty or invalid date is sent as it is so that the server
        // names the problem (ValidTo is required with KEY_MATERIAL_EXPIRES).
        const when = validTo.valueAsNumber;
        if (!Number.isNaN(when)) input.ValidTo = when / 1000;
      }
      await kms.call("ImportKeyMaterial", input);
      await reload("The key material was imported.");
    });
  });
  return form;
}

function deleteSection(m, reload) {
  return h("section", { id: "delete-section" },
    h("h3", {}, "Delete key material"),
    h("p", {}, "Deleting the key material makes the key unusable until you import the same key material again."),
    h("button", {
      type: "button", id: "delete-material", class: "danger", onclick: () => guarded(async () => {
        const confirm = h("input", { type: "checkbox", id: "confirm-delete-material", required: true });
        const choice = await modal("delete-material-dialog", "Delete key material", [
          h("p", {}, `The key ${m.KeyId} becomes unusable (Pending import) until you import its key material again.`),
          h("label", { class: "check" }, confirm, "Confirm that you want to delete the key material."),
        ], [h("button", { value: "cancel", type: "submit", formnovalidate: true }, "Cancel"),
          h("button", { value: "delete", type: "submit", id: "confirm-delete", class: "primary danger" }, "Delete key material")]);
        if (choice !== "delete") return;
        await kms.call("DeleteImportedKeyMaterial", { KeyId: m.KeyId });
        await reload("The key material was deleted. The key is pending import.");
      }),
    }, "Delete key material"));
}
