/*
 * TTLock Access: the "Access" panel (administrators only). A plain ES module, no build step;
 * Home Assistant serves it from the integration's folder. It shows people, their credentials
 * per lock, the locks' monthly passcodes, the queue and credentials found on the locks, and
 * changes access through the integration's websocket commands (ttlock_access/...). Digits are
 * shown only right after a code is created, or when "Show code" is pressed on one credential.
 *
 * Test ids (data-testid) for browser tests:
 *   header: menu-button, title, add-guest, check-in, add-staff, refresh; error (a banner)
 *   sections: people, bookings, locks, queue, unmanaged; show-past (checkbox: revoked/removed too)
 *   a person: holder [data-holder-id, data-name, data-kind], holder-name; buttons
 *     extend-lease, check-out, remove-staff, revoke-holder; a tenant's meters: holder-meter
 *     [data-entity, data-supply]
 *   a credential: credential [data-credential-id, data-name, data-kind, data-status],
 *     credential-status; per lock: lock-state [data-lock=entity id, data-state=setting|set|
 *     removing|removed|failed|unknown], lock-error (the reason); buttons reveal-code,
 *     revoke-credential
 *   bookings: booking-link [data-calendar], booking-guest [data-name], booking-held (a feed
 *     that came back empty), edit-bookings (opens the integration's page: options)
 *   locks: lock-row [data-lock], passcodes-left; queue: queue-item [data-credential-id];
 *   found on locks: unmanaged-item [data-lock, data-kind, data-ttlock-id], adopt,
 *     refresh-unmanaged, unmanaged-error
 *   the dialog: dialog, dialog-title, dialog-error, dialog-cancel, dialog-submit,
 *     dialog-result, new-code (the code just created: shown once), revealed-code,
 *     dialog-done; fields: field-name, field-lock (one checkbox per lock, value = entity id),
 *     field-starts-at, field-ends-at (datetime-local, Home Assistant's time zone),
 *     field-code-mode (generated|typed), field-code, field-allow-weak, field-length,
 *     field-card, field-share-to, field-holder, field-holder-kind, field-meter (check-in: one
 *     checkbox per meter, value = entity id), field-cut-supply (check-out)
 * Flow: "add-guest" → fill field-name, tick field-lock, set field-ends-at → dialog-submit →
 *   new-code shows the code → dialog-done; the guest's lock-state goes setting → set live;
 *   revoke-credential (or revoke-holder) → dialog-submit (confirm) → lock-state "removed".
 */

const D = "ttlock_access";
const KINDS = {
  passcode: "Code",
  offline_passcode: "Offline code",
  card: "Card",
  fingerprint: "Fingerprint",
  face: "Face",
  ekey: "eKey",
};
const PAST = new Set(["revoked", "expired"]);

/** An element: h("div", {class: "x", dataset: {testid: "y"}, onclick}, ...children). */
function h(tag, props = {}, ...children) {
  const el = document.createElement(tag);
  for (const [key, value] of Object.entries(props)) {
    if (value === undefined || value === null || value === false) continue;
    if (key === "dataset") Object.assign(el.dataset, value);
    else if (key.startsWith("on")) el.addEventListener(key.slice(2), value);
    else if (key in el && key !== "list") el[key] = value;
    else el.setAttribute(key, value === true ? "" : value);
  }
  for (const child of children.flat()) {
    if (child !== null && child !== undefined && child !== false) {
      el.append(child instanceof Node ? child : String(child));
    }
  }
  return el;
}
const tid = (testid, extra = {}) => ({ testid, ...extra });

const STYLE = `
[hidden] { display: none !important; }
:host { display: block; min-height: 100%; background: var(--primary-background-color);
  color: var(--primary-text-color); font-family: var(--paper-font-body1_-_font-family, Roboto, sans-serif); }
header { display: flex; align-items: center; gap: 8px; min-height: 56px; padding: 4px 12px; box-sizing: border-box;
  background: var(--app-header-background-color, var(--primary-color));
  color: var(--app-header-text-color, var(--text-primary-color, #fff));
  border-bottom: var(--app-header-border-bottom, none); position: sticky; top: 0; z-index: 2; }
header h1 { font-size: 20px; font-weight: 400; margin: 0; flex: 1; white-space: nowrap; }
header .actions { display: flex; gap: 6px; flex-wrap: wrap; justify-content: flex-end; }
header button { background: transparent; color: inherit; border-color: currentColor; }
main { max-width: 1100px; margin: 0 auto; padding: 16px; display: grid; gap: 16px; }
section { background: var(--card-background-color, var(--ha-card-background, #fff));
  border-radius: var(--ha-card-border-radius, 12px); border: 1px solid var(--divider-color);
  padding: 12px 16px; overflow-x: auto; }
h2 { font-size: 18px; font-weight: 500; margin: 4px 0 12px; display: flex; align-items: center; gap: 8px; }
h2 .grow { flex: 1; }
button { font: inherit; font-size: 14px; padding: 6px 12px; border-radius: 18px; cursor: pointer;
  border: 1px solid var(--primary-color); background: transparent; color: var(--primary-color); }
button.primary { background: var(--primary-color); color: var(--text-primary-color, #fff); }
button.danger { border-color: var(--error-color); color: var(--error-color); }
button:disabled { opacity: .5; cursor: default; }
.holder { border-top: 1px solid var(--divider-color); padding: 10px 0; }
.holder:first-of-type { border-top: none; }
.row { display: flex; align-items: center; gap: 8px; flex-wrap: wrap; }
.row .grow { flex: 1; min-width: 120px; }
.name { font-weight: 500; }
.muted { color: var(--secondary-text-color); font-size: 13px; }
.credential { margin: 8px 0 0 12px; padding-left: 10px; border-left: 3px solid var(--divider-color); }
.chip { display: inline-flex; align-items: center; gap: 4px; border-radius: 12px; padding: 2px 10px;
  font-size: 12px; border: 1px solid var(--divider-color); white-space: nowrap; }
.chip[data-state="set"], .chip[data-status="active"] { border-color: var(--success-color, #43a047); color: var(--success-color, #43a047); }
.chip[data-state="setting"], .chip[data-state="removing"], .chip[data-status="pending"],
.chip[data-status="scheduled"] { border-color: var(--warning-color, #ffa600); color: var(--warning-color, #ffa600); }
.chip[data-state="failed"], .chip[data-status="failed"] { border-color: var(--error-color); color: var(--error-color); }
.chip[data-state="removed"], .chip[data-status="revoked"], .chip[data-status="expired"] { color: var(--secondary-text-color); }
.error-text { color: var(--error-color); font-size: 13px; }
.banner { background: var(--error-color); color: var(--text-primary-color, #fff); padding: 8px 12px; border-radius: 8px; }
table { width: 100%; border-collapse: collapse; font-size: 14px; }
th, td { text-align: left; padding: 6px 8px; border-bottom: 1px solid var(--divider-color); vertical-align: top; }
th { color: var(--secondary-text-color); font-weight: 500; }
dialog { border: none; border-radius: 16px; padding: 0; width: min(520px, 100vw - 24px); max-height: calc(100vh - 24px);
  background: var(--card-background-color, #fff); color: var(--primary-text-color); }
dialog::backdrop { background: rgba(0, 0, 0, .5); }
dialog form, .fields { display: grid; gap: 12px; }
dialog form { padding: 20px; }
dialog h3 { margin: 0; font-size: 20px; font-weight: 400; }
label { display: grid; gap: 4px; font-size: 14px; color: var(--secondary-text-color); }
label.check { display: flex; align-items: center; gap: 8px; color: var(--primary-text-color); }
input, select { font: inherit; padding: 8px; border-radius: 6px; border: 1px solid var(--divider-color);
  background: var(--secondary-background-color, transparent); color: var(--primary-text-color); min-width: 0; }
input[type=checkbox] { accent-color: var(--primary-color); }
fieldset { border: 1px solid var(--divider-color); border-radius: 8px; display: grid; gap: 6px; }
.code { font-size: 28px; letter-spacing: 4px; font-weight: 500; font-family: monospace; }
.buttons { display: flex; justify-content: flex-end; gap: 8px; flex-wrap: wrap; }
.two { display: grid; grid-template-columns: 1fr 1fr; gap: 12px; }
:host([narrow]) main { padding: 8px; gap: 8px; }
:host([narrow]) header .actions button { padding: 4px 8px; font-size: 13px; }
:host([narrow]) header h1 { font-size: 18px; }
:host([narrow]) .two { grid-template-columns: 1fr; }
:host([narrow]) .credential { margin-left: 4px; }
:host([narrow]) .wide { display: none; }
`;

class TTLockAccessPanel extends HTMLElement {
  constructor() {
    super();
    this.attachShadow({ mode: "open" });
    this._data = null;
    this._found = null;
    this._showPast = false;
    this._unsub = null;
  }

  set hass(hass) {
    const first = !this._hass;
    this._hass = hass;
    if (this._menu) this._menu.hass = hass;
    if (first) {
      this._skeleton();
      this._connect();
    }
  }

  get hass() {
    return this._hass;
  }

  set narrow(narrow) {
    this._narrow = narrow;
    this.toggleAttribute("narrow", Boolean(narrow));
    if (this._menu) this._menu.narrow = narrow;
  }

  set panel(panel) {
    this._panel = panel;
  }

  connectedCallback() {
    if (this._hass && !this._unsub) this._connect();
  }

  disconnectedCallback() {
    const unsub = this._unsub;
    this._unsub = null;
    if (unsub) unsub.then((stop) => stop()).catch(() => {});
  }

  // ------------------------------------------------------------------ data
  _connect() {
    if (!this.isConnected || this._unsub) return;
    this._unsub = this._hass.connection.subscribeMessage(
      (overview) => {
        this._data = overview;
        this._renderData();
      },
      { type: `${D}/subscribe` },
    );
    this._unsub.catch((err) => this._banner(err));
    this._loadFound();
  }

  _call(command, fields = {}) {
    const given = Object.entries(fields).filter(([, value]) => value !== undefined);
    return this._hass.connection.sendMessagePromise({ type: `${D}/${command}`, ...Object.fromEntries(given) });
  }

  async _loadFound() {
    this._found = null;
    this._renderFound();
    try {
      this._found = (await this._call("unmanaged")).unmanaged;
    } catch (err) {
      this._found = { error: err.message || String(err) };
    }
    this._renderFound();
  }

  _banner(err) {
    const box = this.shadowRoot.querySelector("[data-testid=error]");
    box.replaceChildren(err ? h("div", { class: "banner" }, err.message || String(err)) : "");
  }

  // ------------------------------------------------------------------ formatting
  _when(iso) {
    if (!iso) return "";
    const zone = this._hass.config.time_zone;
    return new Date(iso).toLocaleString(this._hass.locale?.language || undefined, {
      timeZone: zone, dateStyle: "medium", timeStyle: "short",
    });
  }

  _window(item) {
    if (item.starts_at && item.ends_at) return `${this._when(item.starts_at)} – ${this._when(item.ends_at)}`;
    if (item.ends_at) return `until ${this._when(item.ends_at)}`;
    return "permanent";
  }

  /** "YYYY-MM-DDTHH:MM" in Home Assistant's time zone (a datetime-local value). */
  _local(date) {
    const parts = Object.fromEntries(
      new Intl.DateTimeFormat("en-CA", {
        timeZone: this._hass.config.time_zone, year: "numeric", month: "2-digit", day: "2-digit",
        hour: "2-digit", minute: "2-digit", hourCycle: "h23",
      }).formatToParts(date).map((p) => [p.type, p.value]),
    );
    return `${parts.year}-${parts.month}-${parts.day}T${parts.hour}:${parts.minute}`;
  }

  _lockName(entityId) {
    const lock = this._data?.locks.find((l) => l.entity_id === entityId);
    return lock ? lock.name : this._hass.states[entityId]?.attributes.friendly_name || entityId;
  }

  // ------------------------------------------------------------------ rendering
  _skeleton() {
    const root = this.shadowRoot;
    this._menu = document.createElement("ha-menu-button");
    this._menu.dataset.testid = "menu-button";
    this._menu.hass = this._hass;
    this._menu.narrow = this._narrow;
    const act = (testid, text, fn, cls) => h("button", { class: cls, dataset: tid(testid), onclick: fn }, text);
    root.replaceChildren(
      h("style", {}, STYLE),
      h("header", {}, this._menu, h("h1", { dataset: tid("title") }, "Access"),
        h("div", { class: "actions" },
          act("add-guest", "Add guest", () => this._grantDialog("add_guest")),
          act("check-in", "Check in", () => this._grantDialog("check_in")),
          act("add-staff", "Add staff", () => this._staffDialog()))),
      h("main", {},
        h("div", { dataset: tid("error") }),
        h("section", { dataset: tid("people") }),
        h("section", { dataset: tid("bookings") }),
        h("section", { dataset: tid("locks") }),
        h("section", { dataset: tid("queue") }),
        h("section", { dataset: tid("unmanaged") })),
      h("dialog", { dataset: tid("dialog"), onclose: () => this._dialog.replaceChildren() }),
    );
    this._dialog = root.querySelector("dialog");
    this._renderData();
    this._renderFound();
  }

  _section(testid) {
    return this.shadowRoot.querySelector(`section[data-testid=${testid}]`);
  }

  _renderData() {
    if (!this.shadowRoot.querySelector("main")) return;
    const data = this._data;
    if (!data) {
      this._section("people").replaceChildren(h("h2", {}, "People"), h("div", { class: "muted" }, "Loading…"));
      return;
    }
    this._renderPeople(data);
    this._renderBookings(data);
    this._renderLocks(data);
    this._renderQueue(data);
  }

  _renderPeople(data) {
    const past = this._showPast;
    const visible = (c) => past || !PAST.has(c.status)
      || Object.values(c.locks).some((l) => l.state === "removing");
    // without "Show past": people gone, and people whose every credential is over, are hidden
    const people = data.holders
      .filter((p) => past || !p.removed)
      .map((p) => ({ ...p, credentials: p.credentials.filter(visible), held: p.credentials.length }))
      .filter((p) => past || p.credentials.length || !p.held);
    const loose = data.credentials.filter(visible);
    const toggle = h("label", { class: "check muted" },
      h("input", { type: "checkbox", checked: past, dataset: tid("show-past"),
        onchange: (e) => { this._showPast = e.target.checked; this._renderData(); } }),
      "Show past");
    const body = people.map((p) => this._person(p));
    if (loose.length) {
      body.push(h("div", { class: "holder", dataset: tid("holder", { holderId: "", name: "" }) },
        h("div", { class: "row" }, h("span", { class: "grow name", dataset: tid("holder-name") }, "Without a person")),
        loose.map((c) => this._credential(c))));
    }
    if (!body.length) {
      body.push(h("div", { class: "muted" }, "Nobody holds access yet. Add a guest, a tenant or staff."));
    }
    this._section("people").replaceChildren(
      h("h2", {}, h("span", { class: "grow" }, "People"), toggle), ...body);
  }

  _person(p) {
    const btn = (testid, text, fn, cls) => h("button", { class: cls, dataset: tid(testid), onclick: fn }, text);
    const live = !p.removed;
    return h("div", { class: "holder", dataset: tid("holder", { holderId: p.holder_id, name: p.name, kind: p.kind }) },
      h("div", { class: "row" },
        h("span", { class: "grow" },
          h("span", { class: "name", dataset: tid("holder-name") }, p.name), " ",
          h("span", { class: "chip" }, p.kind), p.removed ? h("span", { class: "chip" }, "gone") : "",
          h("div", { class: "muted" }, this._window(p))),
        live && p.ends_at && p.kind !== "staff" ? btn("extend-lease", "Extend", () => this._extendDialog(p)) : "",
        live && p.kind === "tenant" ? btn("check-out", "Check out", () => this._checkOutDialog(p)) : "",
        live && p.kind === "staff" ? btn("remove-staff", "Remove", () => this._confirm(
          "remove_staff", { holder: p.holder_id }, `Remove ${p.name}?`,
          "Their codes and cards are taken off the locks.", "Remove")) : "",
        live ? btn("revoke-holder", "Revoke all", () => this._confirm(
          "revoke_holder", { holder: p.holder_id }, `Revoke everything of ${p.name}?`,
          "Every code, card and key of this person is taken off the locks."), "danger") : ""),
      (p.meters || []).length ? h("div", { class: "row" }, p.meters.map((m) => this._meter(m))) : "",
      p.credentials.map((c) => this._credential(c)));
  }

  _meter(m) {
    // a tenant's meter: prepaid units (and money) left, and whether the supply is on
    const left = m.prepaid && m.remaining != null ? ` · ${m.remaining} ${m.unit} left` : "";
    const money = m.balance != null ? ` (${m.balance})` : "";
    const supply = m.supply_on == null ? "" : m.supply_on ? " · on" : " · off";
    return h("span", { class: "chip", dataset: tid("holder-meter", { entity: m.entity_id, supply: String(m.supply_on) }) },
      `${m.name}${left}${money}${supply}`);
  }

  _credential(c) {
    const locks = Object.entries(c.locks).map(([entity, lock]) =>
      h("span", { class: "chip", dataset: tid("lock-state", { lock: entity, state: lock.state }), title: lock.error || "" },
        `${this._lockName(entity)}: ${lock.state}`));
    const reasons = Object.entries(c.locks).filter(([, l]) => l.error).map(([entity, l]) => {
      const lock = this._lockName(entity);
      return h("div", { class: "error-text", dataset: tid("lock-error", { lock: entity }) },
        l.error.includes(lock) ? l.error : `${lock}: ${l.error}`);
    });
    const live = c.status !== "revoked";
    return h("div", { class: "credential", dataset: tid("credential", { credentialId: c.credential_id, name: c.name, kind: c.kind, status: c.status }) },
      h("div", { class: "row" },
        h("span", { class: "grow" }, `${KINDS[c.kind] || c.kind} · ${c.name}`,
          h("div", { class: "muted" }, this._window(c), c.origin === "adopted" ? " · adopted" : "")),
        h("span", { class: "chip", dataset: tid("credential-status", { status: c.status }) }, c.status),
        c.revealable ? h("button", { dataset: tid("reveal-code"), onclick: () => this._reveal(c) }, c.kind === "card" ? "Show number" : "Show code") : "",
        live ? h("button", { class: "danger", dataset: tid("revoke-credential"), onclick: () => this._confirm(
          "revoke_credential", { credential_id: c.credential_id }, `Revoke ${KINDS[c.kind] || c.kind} "${c.name}"?`,
          "It is taken off every lock; a lock that cannot be reached now is retried.") }, "Revoke") : ""),
      h("div", { class: "row" }, locks), reasons);
  }

  _renderBookings(data) {
    const links = data.bookings || [];
    const edit = h("button", { dataset: tid("edit-bookings"), onclick: () => this._navigate("/config/integrations/integration/ttlock_access") },
      links.length ? "Edit links" : "Link a calendar");
    const offset = (minutes, before) => minutes ? `${Math.abs(minutes)} min ${(minutes > 0) === before ? "before" : "after"}` : "at";
    const body = links.map((l) => h("div", { class: "holder", dataset: tid("booking-link", { calendar: l.calendar }) },
      h("div", { class: "row" }, h("span", { class: "grow name" }, l.calendar_name,
        h("div", { class: "muted" }, `${l.locks.map((k) => k.name).join(", ")} · code from ${offset(l.checkin_offset, true)} check-in until ${offset(l.checkout_offset, false)} check-out`,
          l.share_to ? ` · sent to ${l.share_to}` : ""))),
      l.held ? h("div", { class: "error-text", dataset: tid("booking-held") },
        `${l.calendar_name} came back empty: ${l.held} guests keep their codes until you confirm the cancellations (Settings → Repairs).`) : "",
      l.guests.length
        ? l.guests.map((g) => h("div", { class: "row", dataset: tid("booking-guest", { name: g.name }) },
          h("span", { class: "grow" }, g.name), h("span", { class: "muted" }, this._window(g))))
        : h("div", { class: "muted" }, "No booking in the next 30 days.")));
    this._section("bookings").replaceChildren(h("h2", {}, h("span", { class: "grow" }, "Bookings"), edit),
      ...(body.length ? body : [h("div", { class: "muted" },
        "No calendar is linked. Link a calendar (a rental's iCal feed, a local calendar) to locks in the integration's options: each booking then gets a guest with a code for the stay.")]));
  }

  _navigate(path) {
    history.pushState(null, "", path);
    this.dispatchEvent(new CustomEvent("location-changed", { bubbles: true, composed: true, detail: { replace: false } }));
  }

  _renderLocks(data) {
    const rows = data.locks.map((l) => h("tr", { dataset: tid("lock-row", { lock: l.entity_id }) },
      h("td", {}, l.name, h("div", { class: "muted" }, l.entity_id)),
      h("td", { dataset: tid("passcodes-left") },
        l.passcodes_left === null ? "no limit" : `${l.passcodes_left} of ${l.passcode_limit}`),
      h("td", {}, l.pending ? `${l.pending} (${l.pending_revocations} removals)` : "none")));
    this._section("locks").replaceChildren(h("h2", {}, "Locks"), data.locks.length
      ? h("table", {}, h("tr", {}, h("th", {}, "Lock"), h("th", {}, "Passcodes left this month"), h("th", {}, "Waiting changes")), rows)
      : h("div", { class: "muted" }, "No locks."));
  }

  _renderQueue(data) {
    const rows = data.queue.map((q) => h("tr", { dataset: tid("queue-item", { credentialId: q.credential_id, lock: q.lock }) },
      h("td", {}, q.action), h("td", {}, `${q.name || ""}${q.holder && q.holder !== q.name ? ` (${q.holder})` : ""}`),
      h("td", {}, q.lock_name),
      h("td", { class: "wide" }, String(q.attempts)),
      h("td", {}, q.blocked ? h("span", { class: "error-text" }, `waits for a person: ${q.blocked}`)
        : q.next_attempt_at ? `next try ${this._when(q.next_attempt_at)}` : "now",
      q.last_error ? h("div", { class: "error-text" }, q.last_error) : "")));
    this._section("queue").replaceChildren(h("h2", {}, "Queue"), rows.length
      ? h("table", {}, h("tr", {}, h("th", {}, "Change"), h("th", {}, "Credential"), h("th", {}, "Lock"),
        h("th", { class: "wide" }, "Attempts"), h("th", {}, "State")), rows)
      : h("div", { class: "muted" }, "Nothing is waiting: every lock has what it should."));
  }

  _renderFound() {
    const section = this._section("unmanaged");
    if (!section) return;
    const title = h("h2", {}, h("span", { class: "grow" }, "Found on locks"),
      h("button", { dataset: tid("refresh-unmanaged"), onclick: () => this._loadFound() }, "Look again"));
    const found = this._found;
    if (!found) return section.replaceChildren(title, h("div", { class: "muted" }, "Reading the locks' lists…"));
    if (found.error) return section.replaceChildren(title, h("div", { class: "error-text", dataset: tid("unmanaged-error") }, found.error));
    const rows = [];
    for (const [entity, lock] of Object.entries(found)) {
      if (lock.error) rows.push(h("tr", {}, h("td", {}, lock.name), h("td", { colspan: 3, class: "error-text", dataset: tid("unmanaged-error") }, lock.error)));
      for (const item of lock.items || []) {
        rows.push(h("tr", { dataset: tid("unmanaged-item", { lock: entity, kind: item.kind, ttlockId: item.ttlock_id }) },
          h("td", {}, lock.name), h("td", {}, KINDS[item.kind] || item.kind),
          h("td", {}, item.name || "", item.receiver ? h("div", { class: "muted" }, item.receiver) : ""),
          h("td", {}, item.ttlock_id ? h("button", { dataset: tid("adopt"), onclick: () => this._adoptDialog(entity, lock.name, item) }, "Adopt") : "")));
      }
    }
    section.replaceChildren(title, rows.length
      ? h("table", {}, h("tr", {}, h("th", {}, "Lock"), h("th", {}, "Kind"), h("th", {}, "Name"), h("th", {}, "")), rows)
      : h("div", { class: "muted" }, "Nothing made elsewhere: every credential on the locks is managed here."));
  }

  // ------------------------------------------------------------------ dialogs
  /** Open the dialog with fields; submit(values) → result (shown by show(result)) or null. */
  _open(title, fields, submitText, submit, { danger = false, show = null } = {}) {
    const error = h("div", { class: "error-text", dataset: tid("dialog-error"), role: "alert" });
    const result = h("div", { dataset: tid("dialog-result") });
    const go = h("button", { type: "submit", class: danger ? "danger" : "primary", dataset: tid("dialog-submit") }, submitText);
    const cancel = h("button", { type: "button", dataset: tid("dialog-cancel"), onclick: () => this._dialog.close() }, "Cancel");
    const body = h("div", { class: "fields" }, ...fields);
    const form = h("form", { method: "dialog", novalidate: true, onsubmit: async (e) => {
      e.preventDefault();
      error.textContent = "";
      go.disabled = true;
      try {
        const answer = await submit(form);
        if (!show || !answer) return this._dialog.close();
        result.replaceChildren(show(answer));
        body.remove();
        go.remove();
        cancel.replaceWith(h("button", { type: "button", class: "primary", dataset: tid("dialog-done"), onclick: () => this._dialog.close() }, "Done"));
      } catch (err) {
        error.textContent = err.message || String(err);
      } finally {
        go.disabled = false;
      }
    } }, h("h3", { dataset: tid("dialog-title") }, title), body, error, result,
    h("div", { class: "buttons" }, cancel, go));
    this._dialog.replaceChildren(form);
    if (!this._dialog.open) this._dialog.showModal();
    form.querySelector("input:not([type=checkbox]), select")?.focus();
  }

  _field(testid, label, props = {}) {
    return h("label", {}, label, h("input", { name: testid, dataset: tid(testid), autocomplete: "off", ...props }));
  }

  _locksField(checked = []) {
    return h("fieldset", {}, h("legend", { class: "muted" }, "Locks"),
      (this._data?.locks || []).map((l) => h("label", { class: "check" },
        h("input", { type: "checkbox", name: "lock", value: l.entity_id, checked: checked.includes(l.entity_id), dataset: tid("field-lock") }),
        l.name)));
  }

  _shareField() {
    const hass = this._hass;
    const targets = [
      ...Object.keys(hass.states).filter((e) => e.startsWith("notify.")),
      ...Object.keys(hass.services.notify || {}).filter((s) => s !== "send_message" && s !== "persistent_notification").map((s) => `notify.${s}`),
    ];
    const list = h("datalist", { id: "notify-targets" }, [...new Set(targets)].sort().map((t) => h("option", { value: t })));
    return h("label", {}, "Send to (optional notify target)",
      h("input", { name: "share", list: "notify-targets", dataset: tid("field-share-to"), placeholder: "notify.mobile_app_…", autocomplete: "off" }), list);
  }

  _codeFields() {
    const code = this._field("field-code", "Code (4 to 9 digits)", { inputMode: "numeric", pattern: "[0-9]{4,9}", type: "password" });
    const weak = h("label", { class: "check" }, h("input", { type: "checkbox", name: "weak", dataset: tid("field-allow-weak") }), "An easy-to-guess code is intended");
    const length = h("label", {}, "Length", h("select", { name: "length", dataset: tid("field-length") },
      [4, 5, 6, 7, 8, 9].map((n) => h("option", { value: n, selected: n === 6 }, String(n)))));
    const sync = (mode) => { code.hidden = weak.hidden = mode !== "typed"; length.hidden = mode === "typed"; };
    const mode = h("label", {}, "Code", h("select", { name: "mode", dataset: tid("field-code-mode"), onchange: (e) => sync(e.target.value) },
      h("option", { value: "generated" }, "Generate a code"), h("option", { value: "typed" }, "Type a code")));
    sync("generated");
    return [mode, code, weak, length];
  }

  _values(form) {
    const get = (name) => form.elements.namedItem(name);
    const text = (name) => (get(name)?.value || "").trim() || undefined;
    const picked = (name) => [...form.querySelectorAll(`input[name=${name}]:checked`)].map((i) => i.value);
    return { text, locks: picked("lock"), meters: picked("meter"), checked: (name) => Boolean(get(name)?.checked) };
  }

  _grantDialog(command) {
    const now = new Date();
    const tenant = command === "check_in";
    const zone = h("div", { class: "muted" }, `Times are in Home Assistant's time zone (${this._hass.config.time_zone}).`);
    const card = this._data?.locks.some((l) => l.card)
      ? this._field("field-card", "Card number (optional)", { inputMode: "numeric", type: "password" }) : "";
    this._open(tenant ? "Check in a tenant" : "Add a guest", [
      this._field("field-name", "Name", { required: true }),
      this._locksField(this._data?.locks.length === 1 ? [this._data.locks[0].entity_id] : []),
      h("div", { class: "two" },
        this._field("field-starts-at", tenant ? "Lease starts" : "Arrives", { type: "datetime-local", value: this._local(now) }),
        this._field("field-ends-at", tenant ? "Lease ends" : "Leaves", { type: "datetime-local", value: this._local(new Date(now.getTime() + 2 * 86400000)) })),
      zone, ...this._codeFields(), card, tenant ? this._metersField() : "", this._shareField(),
    ], tenant ? "Check in" : "Add guest", async (form) => {
      const v = this._values(form);
      const typed = v.text("mode") === "typed";
      return this._call(command, {
        name: v.text("field-name") || "", locks: v.locks,
        starts_at: v.text("field-starts-at"), ends_at: v.text("field-ends-at"),
        code: typed ? v.text("field-code") : undefined,
        allow_weak_code: typed && v.checked("weak") ? true : undefined,
        length: typed ? undefined : Number(v.text("length") || 6),
        card_number: v.text("field-card"),
        share_to: v.text("share") ? [v.text("share")] : undefined,
        meters: tenant && v.meters.length ? v.meters : undefined,
      });
    }, { show: (answer) => this._newCodes(answer.credentials, answer.shared) });
  }

  _metersField() {
    // the account's electricity and water meters: linked to the tenant (top-ups by name,
    // switched off at check-out if asked)
    const meters = this._data?.meters || [];
    return meters.length ? h("fieldset", {}, h("legend", { class: "muted" }, "Their meters (optional)"),
      meters.map((m) => h("label", { class: "check" },
        h("input", { type: "checkbox", name: "meter", value: m.entity_id, dataset: tid("field-meter") }), m.name))) : "";
  }

  _staffDialog() {
    this._open("Add staff", [
      this._field("field-name", "Name", { required: true }),
      this._locksField(this._data?.locks.map((l) => l.entity_id) || []),
      h("div", { class: "muted" }, "Staff get a permanent code on these locks."),
      this._shareField(),
    ], "Add staff", async (form) => {
      const v = this._values(form);
      const name = v.text("field-name") || "";
      const answer = await this._call("add_staff", {
        names: [name], locks: v.locks, share_to: v.text("share") ? [v.text("share")] : undefined,
      });
      return { credentials: Object.values(answer.staff || {}), shared: answer.shared };
    }, { show: (answer) => this._newCodes(answer.credentials, answer.shared) });
  }

  /** The codes just created: shown once, here, and never again unless asked for. */
  _newCodes(credentials = [], shared = []) {
    const rows = [];
    for (const c of credentials) {
      if (c.code) rows.push(h("div", {}, h("div", { class: "muted" }, `${KINDS[c.kind]} for ${Object.keys(c.locks).map((e) => this._lockName(e)).join(", ")}`),
        h("div", { class: "code", dataset: tid("new-code") }, c.code)));
      for (const [entity, lock] of Object.entries(c.locks)) {
        if (lock.code) rows.push(h("div", {}, h("div", { class: "muted" }, `${KINDS[c.kind]} for ${this._lockName(entity)}`), h("div", { class: "code", dataset: tid("new-code") }, lock.code)));
      }
      if (!c.code && c.kind !== "passcode") rows.push(h("div", { class: "muted" }, `${KINDS[c.kind] || c.kind} "${c.name}" added.`));
    }
    for (const s of shared || []) rows.push(h("div", { class: s.sent ? "muted" : "error-text" }, s.sent ? `Sent to ${s.target}.` : `Could not send to ${s.target}.`));
    rows.push(h("div", { class: "muted" }, "Note the code now: it is not shown again (an administrator can ask for it with \"Show code\")."));
    return h("div", {}, rows);
  }

  _extendDialog(p) {
    this._open(`Extend the stay of ${p.name}`, [
      this._field("field-ends-at", "Ends", { type: "datetime-local", value: p.ends_at ? this._local(new Date(p.ends_at)) : "" }),
      h("div", { class: "muted" }, `Home Assistant's time zone (${this._hass.config.time_zone}). Timed codes and cards follow.`),
    ], "Extend", (form) => this._call("extend_lease", { holder: p.holder_id, ends_at: this._values(form).text("field-ends-at") || "" }));
  }

  _adoptDialog(entity, lockName, item) {
    const kinds = this._data?.holder_kinds || ["guest", "tenant", "staff"];
    this._open(`Adopt "${item.name || item.kind}" on ${lockName}`, [
      h("div", { class: "muted" }, "Nothing changes on the lock: from now on it is managed here and revoked with its person."),
      this._field("field-name", "Name (optional)", { value: item.name || "" }),
      this._field("field-holder", "Person (optional)"),
      h("label", {}, "Person is a", h("select", { name: "kind", dataset: tid("field-holder-kind") }, kinds.map((k) => h("option", { value: k }, k)))),
    ], "Adopt", async (form) => {
      const v = this._values(form);
      const answer = await this._call("adopt", {
        lock: entity, kind: item.kind, ttlock_id: item.ttlock_id, name: v.text("field-name"),
        holder: v.text("field-holder"), holder_kind: v.text("field-holder") ? v.text("kind") : undefined,
      });
      this._loadFound();
      return answer;
    });
  }

  _checkOutDialog(p) {
    const meters = p.meters || [];
    const cut = meters.length ? h("label", { class: "check" },
      h("input", { type: "checkbox", name: "cut", dataset: tid("field-cut-supply") }),
      `Switch their meters off (${meters.map((m) => m.name).join(", ")})`) : "";
    this._open(`Check out ${p.name}?`, [h("div", {}, "Everything they hold is taken off the locks."), cut],
      "Check out", (form) => this._call("check_out", { holder: p.holder_id, cut_supply: this._values(form).checked("cut") }),
      { danger: true });
  }

  _confirm(command, fields, title, text, submitText = "Revoke") {
    this._open(title, [h("div", {}, text)], submitText, () => this._call(command, fields), { danger: true });
  }

  async _reveal(c) {
    try {
      const answer = await this._call("reveal_code", { credential_id: c.credential_id });
      const many = Object.entries(answer.locks);
      this._open(`Code of ${c.name}`, [
        answer.code ? h("div", { class: "code", dataset: tid("revealed-code") }, answer.code)
          : many.map(([entity, code]) => h("div", {}, h("div", { class: "muted" }, this._lockName(entity)), h("div", { class: "code", dataset: tid("revealed-code") }, code))),
        h("div", { class: "muted" }, "The logbook records that this code was shown (not the code)."),
      ], "Close", async () => null);
    } catch (err) {
      this._banner(err);
    }
  }
}

customElements.define("ttlock-access-panel", TTLockAccessPanel);
