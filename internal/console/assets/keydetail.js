// The key detail page: the "General configuration" panel, "Key actions"
// and the tabs, each a file of its own.
import { h, field, formatDate, guarded, flash, modal } from "./dom.js";
import * as kms from "./kms.js";
import { policyTab } from "./tab-policy.js";
import { cryptoTab } from "./tab-crypto.js";
import { rotationTab } from "./tab-rotation.js";
import { tagsTab } from "./tab-tags.js";
import { aliasesTab } from "./tab-aliases.js";
import { materialTab } from "./tab-material.js";

const TABS = [
  ["policy", "Key policy", policyTab],
  ["crypto", "Cryptographic configuration", cryptoTab],
  ["tags", "Tags", tagsTab],
  ["rotation", "Key rotation", rotationTab],
  ["aliases", "Aliases", aliasesTab],
  ["material", "Key material", materialTab],
];

export async function keyDetailPage(page, keyId, tab, stale) {
  const [described, aliases] = await Promise.all([
    kms.call("DescribeKey", { KeyId: keyId }),
    kms.all("ListAliases", { KeyId: keyId }, "Aliases"),
  ]);
  if (stale()) return;
  const m = described.KeyMetadata;
  // reload shows the key again after a change. If the user has moved on
  // to another page meanwhile, neither the page nor the message is shown.
  const reload = async (message) => {
    if (stale()) return;
    await keyDetailPage(page, keyId, tab, stale);
    if (message && !stale()) flash(message);
  };
  const tabs = TABS.filter(([id]) => id !== "material" || m.Origin === "EXTERNAL");
  const current = tabs.find(([id]) => id === tab) || tabs[0];
  const panel = h("section", { class: "panel tab-panel", id: `tab-${current[0]}`, "data-test": "tab-panel" });
  const aliasNames = aliases.map((a) => a.AliasName);
  page.replaceChildren(
    h("div", { class: "page-head" },
      h("h1", { id: "key-title" }, aliasNames[0] || m.KeyId),
      m.KeyManager === "CUSTOMER" ? keyActions(m, reload) : null),
    generalConfiguration(m, aliasNames),
    h("nav", { class: "tabs", id: "key-tabs" }, tabs.map(([id, label]) =>
      h("a", { href: `#/key/${encodeURIComponent(m.KeyId)}/${id}`, id: `tab-link-${id}`, class: id === current[0] ? "active" : "" }, label))),
    panel);
  await current[2](panel, m, reload);
}

function generalConfiguration(m, aliasNames) {
  return h("section", { class: "panel", id: "general-configuration" },
    h("h2", {}, "General configuration"),
    h("dl", { class: "fields" },
      field("Alias", aliasNames.join(", "), "config-alias"),
      field("Status", m.KeyState, "config-status"),
      field("Creation date", formatDate(m.CreationDate), "config-created"),
      field("ARN", m.Arn, "config-arn"),
      field("Description", m.Description, "config-description"),
      field("Key ID", m.KeyId, "config-key-id"),
      field("Key manager", m.KeyManager === "AWS" ? "AWS managed" : "Customer managed", "config-manager"),
      field("Regionality", m.MultiRegion ? "Multi-Region" : "Single Region", "config-regionality"),
      m.DeletionDate ? field("Scheduled deletion date", formatDate(m.DeletionDate), "config-deletion-date") : null));
}

// keyActions is the "Key actions" menu. Only the actions the key's state
// allows are offered; the server checks again.
function keyActions(m, reload) {
  const act = (label, id, fn) => h("button", {
    type: "button", id, onclick: async () => {
      menu.open = false;
      let message;
      if (await guarded(async () => { message = await fn(); })) {
        if (message !== undefined) await reload(message);
      }
    },
  }, label);
  const items = [];
  if (m.KeyState === "Disabled") {
    items.push(act("Enable", "action-enable", async () => {
      await kms.call("EnableKey", { KeyId: m.KeyId });
      return "The key was enabled.";
    }));
  }
  if (m.KeyState === "Enabled") {
    items.push(act("Disable", "action-disable", async () => {
      if (!(await confirmDisable(m))) return undefined;
      await kms.call("DisableKey", { KeyId: m.KeyId });
      return "The key was disabled.";
    }));
  }
  if (m.KeyState === "PendingDeletion") {
    items.push(act("Cancel key deletion", "action-cancel-deletion", async () => {
      await kms.call("CancelKeyDeletion", { KeyId: m.KeyId });
      return "Key deletion was canceled. The key is disabled; enable it to use it again.";
    }));
  } else {
    items.push(act("Schedule key deletion", "action-schedule-deletion", () => scheduleDeletion(m)));
  }
  const menu = h("details", { class: "menu", id: "key-actions" }, h("summary", {}, "Key actions"), h("div", { class: "menu-items" }, items));
  return menu;
}

async function confirmDisable(m) {
  const choice = await modal("disable-dialog", "Disable key",
    h("p", {}, `Disabling ${m.KeyId} stops its use in cryptographic operations until you enable it again.`),
    [h("button", { value: "cancel", type: "submit" }, "Cancel"),
      h("button", { value: "disable", type: "submit", id: "confirm-disable", class: "primary" }, "Disable key")]);
  return choice === "disable";
}

// scheduleDeletion asks for the waiting period (7-30 days, 30 by default,
// as in the AWS console) and an explicit confirmation.
async function scheduleDeletion(m) {
  const days = h("input", { id: "waiting-period", type: "number", min: "7", max: "30", value: "30", required: true });
  const confirm = h("input", { id: "confirm-deletion", type: "checkbox", required: true });
  const choice = await modal("schedule-deletion-dialog", "Schedule key deletion", [
    h("p", {}, "After the waiting period the key and all its key material are deleted. " +
      "Data encrypted under the key can then no longer be decrypted."),
    h("label", {}, "Waiting period (in days)", days),
    h("label", { class: "check" }, confirm, "Confirm that you want to schedule this key to be deleted after the waiting period."),
  ], [h("button", { value: "cancel", type: "submit", formnovalidate: true }, "Cancel"),
    h("button", { value: "schedule", type: "submit", id: "confirm-schedule-deletion", class: "primary danger" }, "Schedule deletion")]);
  if (choice !== "schedule") return undefined;
  const out = await kms.call("ScheduleKeyDeletion", { KeyId: m.KeyId, PendingWindowInDays: Number(days.value) });
  return `The key is scheduled for deletion on ${formatDate(out.DeletionDate)}.`;
}
