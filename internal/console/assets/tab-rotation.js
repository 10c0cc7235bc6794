// "Key rotation": GetKeyRotationStatus; automatic rotation on or off with a
// rotation period (EnableKeyRotation / DisableKeyRotation); "Rotate now"
// (RotateKeyOnDemand); and the rotations so far (ListKeyRotations).
import { h, guarded, formatDate, modal, field } from "./dom.js";
import * as kms from "./kms.js";

// Automatic rotation is for symmetric encryption keys whose material KMS
// generated. Keys with imported material rotate on demand only, after new
// key material is imported (Key material tab), and GetKeyRotationStatus
// refuses them with UnsupportedOperationException; asymmetric and HMAC keys
// do not rotate at all.
export async function rotationTab(panel, m, reload) {
  const symmetric = m.KeySpec === "SYMMETRIC_DEFAULT";
  const automatic = symmetric && m.Origin === "AWS_KMS";
  const status = automatic ? await kms.call("GetKeyRotationStatus", { KeyId: m.KeyId }) : null;
  const rotations = symmetric ? await kms.all("ListKeyRotations", { KeyId: m.KeyId }, "Rotations") : [];
  const editable = m.KeyManager === "CUSTOMER";
  if (!symmetric) {
    panel.replaceChildren(h("h2", {}, "Key rotation"),
      h("p", { class: "muted", id: "rotation-unsupported" }, "Only symmetric encryption keys rotate: asymmetric and HMAC keys keep their key material."));
    return;
  }
  const enabled = h("input", { type: "checkbox", id: "rotation-enabled", checked: Boolean(status?.KeyRotationEnabled), disabled: !editable });
  const period = h("input", {
    type: "number", id: "rotation-period", min: "90", max: "2560", required: true,
    value: String(status?.RotationPeriodInDays || 365), disabled: !editable,
  });
  const label = h("span", { id: "rotation-label" });
  const describe = () => {
    label.textContent = Number(period.value) === 365 ? "Automatically rotate this KMS key every year" :
      `Automatically rotate this KMS key every ${period.value} days`;
  };
  period.addEventListener("input", describe);
  describe();
  const form = h("form", { id: "rotation-form" },
    h("label", { class: "check" }, enabled, label),
    h("label", {}, "Rotation period (in days)", period, h("small", {}, "Between 90 and 2560 days. 365 rotates the key every year.")),
    editable ? h("div", { class: "buttons" }, h("button", { type: "submit", id: "save-rotation", class: "primary" }, "Save")) : null);
  form.addEventListener("submit", (e) => {
    e.preventDefault();
    guarded(async () => {
      if (enabled.checked) {
        await kms.call("EnableKeyRotation", { KeyId: m.KeyId, RotationPeriodInDays: Number(period.value) });
        await reload(`Automatic key rotation is on: every ${period.value} days.`);
      } else {
        await kms.call("DisableKeyRotation", { KeyId: m.KeyId });
        await reload("Automatic key rotation is off.");
      }
    });
  });
  const rotateNow = h("button", {
    type: "button", id: "rotate-now", onclick: () => guarded(async () => {
      const choice = await modal("rotate-now-dialog", "Rotate now",
        h("p", {}, "KMS creates new key material for this key now. Existing ciphertexts stay decryptable."),
        [h("button", { value: "cancel", type: "submit" }, "Cancel"),
          h("button", { value: "rotate", type: "submit", id: "confirm-rotate-now", class: "primary" }, "Rotate key")]);
      if (choice !== "rotate") return;
      await kms.call("RotateKeyOnDemand", { KeyId: m.KeyId });
      await reload("On-demand rotation started.");
    }),
  }, "Rotate now");
  panel.replaceChildren(
    h("h2", {}, "Automatic key rotation"),
    automatic ? h("dl", { class: "fields" },
      field("Status", status.KeyRotationEnabled ? "Enabled" : "Disabled", "rotation-status"),
      field("Rotation period", status.RotationPeriodInDays ? `${status.RotationPeriodInDays} days` : undefined, "rotation-period-days"),
      field("Next rotation date", formatDate(status.NextRotationDate), "rotation-next"),
      status.OnDemandRotationStartDate ? field("On-demand rotation start date", formatDate(status.OnDemandRotationStartDate), "rotation-on-demand") : null) : null,
    automatic ? form : h("p", { class: "muted", id: "rotation-automatic-unsupported" },
      "Keys with imported key material do not rotate automatically. To rotate one, import new key material " +
      "(Key material tab, Import type: new key material), then choose Rotate now."),
    h("h2", {}, "On-demand key rotation"),
    editable ? rotateNow : h("p", { class: "muted" }, "AWS managed keys rotate every year."),
    h("h2", {}, "Key rotations"),
    rotations.length === 0 ? h("p", { class: "muted", id: "no-rotations" }, "This key has not been rotated yet.") :
      h("table", { id: "rotation-list" },
        h("thead", {}, h("tr", {}, h("th", {}, "Date"), h("th", {}, "Rotation type"), h("th", {}, "Key material ID"))),
        h("tbody", {}, rotations.map((r) => h("tr", { "data-test": "rotation" },
          h("td", {}, formatDate(r.RotationDate)), h("td", {}, r.RotationType || "-"), h("td", {}, r.KeyMaterialId || "-"))))));
}
