// The field app's screens: download the village, enrol people, fill self-assessments with the
// scheme's own rule (rules.js) and photos, and send the outbox (field-store.js) when there is
// signal. Everything drawn here is built with textContent, never HTML strings, so nothing
// typed in a village can become markup.
(function () {
  "use strict";

  var F = window.HoctapField;
  var OUTBOX_SHOWN = 100;
  var config = JSON.parse(document.getElementById("field-config").textContent);
  var T = JSON.parse(document.getElementById("field-text").textContent);
  var state = {
    pack: null, scheme: null, records: [], session: null, photos: [], sending: false, expired: false,
    redraw: null,
  };

  function $(id) { return document.getElementById(id); }

  function el(tag, props, children) {
    var node = document.createElement(tag);
    Object.keys(props || {}).forEach(function (key) {
      if (key === "text") node.textContent = props[key];
      else if (key === "className") node.className = props[key];
      else node.setAttribute(key, props[key]);
    });
    (children || []).forEach(function (child) { if (child) node.appendChild(child); });
    return node;
  }

  function fmt(template, values) {
    return template.replace(/%\((\w+)\)s/g, function (match, key) {
      return values[key] === undefined ? match : String(values[key]);
    });
  }

  function when(iso) {
    var d = new Date(iso);
    var pad = function (n) { return (n < 10 ? "0" : "") + n; };
    return pad(d.getHours()) + ":" + pad(d.getMinutes()) + " " + pad(d.getDate()) + "/" +
      pad(d.getMonth() + 1) + "/" + d.getFullYear();
  }

  function size(bytes) {
    if (bytes < 1024) return fmt(T.bytes, { n: bytes });
    return fmt(T.kilobytes, { n: Math.round(bytes / 1024).toLocaleString("vi-VN") });
  }

  function notice(message) {
    var box = $("notice");
    box.textContent = message || "";
    box.hidden = !message;
  }

  function fold(text) {
    return (text || "").normalize("NFD").replace(/[\u0300-\u036f]/g, "")
      .replace(/đ/g, "d").replace(/Đ/g, "D").toLowerCase().trim();
  }

  // Loading what the phone holds.

  function load() {
    return Promise.all([F.getMeta("pack"), F.all("records")]).then(function (loaded) {
      var pack = loaded[0];
      if (pack && F.isExpired(pack)) {
        return F.removeData(false).then(dropSchemes).then(function () {
          state.expired = true;
          return load();
        });
      }
      state.pack = pack || null;
      state.records = loaded[1];
      if (!pack) { state.scheme = null; return null; }
      var known = state.scheme;
      if (known && known.code === pack.scheme.code && known.version === pack.scheme.version) return null;
      return fetch(pack.scheme.url).then(function (r) {
        if (!r.ok) throw new Error("scheme");
        return r.json();
      }).then(function (scheme) { state.scheme = scheme; }, function () {
        state.scheme = null;
        notice(T.no_scheme);
      });
    });
  }

  function unitName(code) {
    var found = (state.pack ? state.pack.units : []).filter(function (u) { return u.code === code; })[0];
    return found ? found.name : code;
  }

  // Scheme files are cached per version (the service worker answers from that cache). The
  // page keeps the file itself when it downloads a pack: on the first visit the worker may
  // not control the page yet, and its fetches would then pass it by.
  function keepScheme(scheme) {
    return fetch(scheme.url).then(function (response) {
      if (!response.ok || !window.caches) return response;
      return caches.open("hoctap-scheme-" + scheme.code + "-" + scheme.version).then(function (cache) {
        return cache.put(scheme.url, response.clone());
      }).then(function () { return response; });
    });
  }

  // With no pack, no scheme file is needed.
  function dropSchemes() {
    if (!window.caches) return Promise.resolve();
    return caches.keys().then(function (names) {
      return Promise.all(names.filter(function (name) { return name.indexOf("hoctap-scheme-") === 0; })
        .map(function (name) { return caches.delete(name); }));
    });
  }

  // Home.

  function renderHome() {
    var pack = state.pack;
    $("pack-status").textContent = pack
      ? fmt(T.pack_status, {
        unit: pack.unit.name, period: pack.period.code,
        at: when(pack.generated_at), until: when(pack.expires_at),
      })
      : (state.expired ? T.expired : T.no_pack);
    $("work").hidden = !pack || !state.scheme;
    $("attend-open").hidden = !pack || !(pack.sessions || []).length;
    if (pack) {
      $("work-title").textContent = fmt(T.work_title, { unit: pack.unit.name, period: pack.period.code });
      renderPeople();
    }
    renderOutbox();
  }

  // The same person as the phone tells: unit, name and birth year (as the enrol check does).
  function personKey(unit, name, year) {
    return [unit, fold(name), String(year)].join("|");
  }

  // Each person of the pack with the record the phone holds for them this period, if any: by
  // the id the pack gave, or typed in again by hand as a new person.
  function recordsByPerson() {
    var byCitizen = {}, byKey = {};
    state.records.forEach(function (r) {
      if (r.citizenId) byCitizen[r.citizenId] = r;
      else byKey[personKey(r.unit, r.citizen.full_name, r.citizen.birth_year)] = r;
    });
    var found = {}, matched = new Set();
    state.pack.citizens.forEach(function (c) {
      var record = byCitizen[c.id] || byKey[personKey(c.unit, c.full_name, c.birth_year)];
      if (record) { found[c.id] = record; matched.add(record.id); }
    });
    return { of: found, matched: matched };
  }

  // Where a person stands this period, in words, when the phone holds no record of theirs.
  function enrolmentText(enrolment) {
    if (!enrolment) return T.not_enrolled;
    if (!enrolment.state) return T.enrolled_elsewhere;
    var words = T.states[enrolment.state] || enrolment.state;
    return enrolment.elsewhere ? fmt(T.state_at, { state: words, unit: unitName(enrolment.unit) }) : words;
  }

  function renderPeople() {
    var query = fold($("search").value);
    var known = recordsByPerson();
    // People enrolled on the phone who were not on the village's list, then the list, each
    // with their record of this period if they have one.
    var rows = state.records.filter(function (r) { return !r.citizenId && !known.matched.has(r.id); })
      .map(function (r) { return { record: r, person: r.citizen }; });
    state.pack.citizens.forEach(function (c) { rows.push({ record: known.of[c.id], person: c }); });
    rows = rows.filter(function (row) { return !query || fold(row.person.full_name).indexOf(query) >= 0; });
    var list = $("people");
    list.textContent = "";
    rows.slice(0, 200).forEach(function (row) {
      var person = row.person;
      var record = row.record;
      var line = [person.birth_year, person.household ? fmt(T.household, { code: person.household }) : "",
        unitName(person.unit || (record && record.unit))].filter(Boolean).join(" · ");
      var status = record ? (T.states[record.state] || record.state) : enrolmentText(person.enrolment);
      if (record && record.local) status = T.enrolled_here;
      var action;
      if (!record && !person.enrolment) {
        action = el("a", { href: "#enrol/" + person.id, className: "button", text: T.enrol });
      } else if (record && F.SELF_EDITABLE.indexOf(record.state) >= 0) {
        action = el("a", { href: "#assess/" + record.id, className: "button", text: T.self_assess });
      }
      list.appendChild(el("li", { className: "card" }, [
        el("strong", { text: person.full_name }),
        el("span", { text: " " + line }),
        el("p", { className: "state", text: status }),
        action,
      ]));
    });
    if (rows.length > 200) list.appendChild(el("li", { text: fmt(T.more_people, { n: rows.length - 200 }) }));
  }

  var KIND = function (item) { return T.kinds[item.kind] || item.kind; };

  function renderOutbox() {
    return F.summary().then(function (s) {
      $("outbox-summary").textContent = s.waiting
        ? fmt(T.outbox_summary, { records: s.records, photos: s.photos, size: size(s.bytes) })
        : T.outbox_empty;
      $("send").disabled = !s.waiting || state.sending;
      $("clear-sent").hidden = s.items.every(function (i) { return i.status !== "done" && i.status !== "dropped"; });
      var list = $("outbox-items");
      list.textContent = "";
      var names = {};
      state.records.forEach(function (r) { names[r.id] = r.citizen.full_name; });
      var rankOf = function (item) {
        if (F.needsConsent(item)) return 0;
        return rank[item.status] === undefined ? 2 : rank[item.status];
      };
      // What needs the officer first (conflicts, refusals, waiting), then the latest sent; a
      // long outbox is summed up rather than drawn item by item.
      var rank = { conflict: 0, failed: 0, sending: 1, waiting: 1 };
      var shown = s.items.slice().sort(function (a, b) {
        var ra = rankOf(a);
        var rb = rankOf(b);
        return ra - rb || (ra === 2 ? b.seq - a.seq : a.seq - b.seq);
      }).slice(0, OUTBOX_SHOWN);
      if (s.items.length > shown.length) {
        $("outbox-summary").appendChild(document.createTextNode(
          " " + fmt(T.more_items, { n: s.items.length - shown.length })));
      }
      shown.forEach(function (item) {
        var consent = F.needsConsent(item);
        var detail = item.detail === "already" ? T.already : item.detail;
        var name = names[item.assessment] || item.label ||
          (item.kind === "enrol" && item.body ? item.body.citizen.full_name : "");
        var entry = el("li", {
          className: "item " + item.status + (consent ? " consent" : ""), "data-status": item.status,
        }, [
          el("strong", { text: KIND(item) }),
          el("span", { text: " · " + name + " · " }),
          el("span", { className: "status", text: statusText(item) }),
          detail ? el("p", { className: "detail", text: detail }) : null,
        ]);
        if (item.status === "conflict" && item.server) entry.appendChild(conflictView(item));
        if (consent) entry.appendChild(consentView(item));
        if (item.status === "conflict" || item.status === "failed") entry.appendChild(resolveButtons(item));
        list.appendChild(entry);
      });
    });
  }

  // What became of an item, in words: a refused enrolment is told by the server's error code,
  // since its status alone (409) would blame an edit at the office for a duplicate.
  function statusText(item) {
    if (F.needsConsent(item)) return T.needs_consent;
    var refused = item.status === "conflict" || item.status === "failed";
    if (refused && item.kind === "enrol" && T.codes[item.code]) return T.codes[item.code];
    return T.statuses[item.status] || item.status;
  }

  function noticeText() {
    return fmt(T.privacy_notice, { s: state.scheme ? state.scheme.title : "" });
  }

  // Consent for an enrolment queued without it: the notice, a tick and how, as on the enrol
  // screen; saving puts it into the queued body, which is then sent like any other.
  function consentView(item) {
    var box = el("div", { className: "consent-form" });
    var open = el("button", { type: "button", text: T.record_consent, "aria-expanded": "false" });
    var given = el("input", { type: "checkbox", name: "consent" });
    var error = el("p", { className: "error", role: "alert" });
    var methods = Object.keys(T.consent_methods).map(function (value, index) {
      var radio = el("input", { type: "radio", name: "consent-how-" + item.seq, value: value });
      radio.checked = index === 0;
      return el("label", { className: "choice" }, [radio, document.createTextNode(" " + T.consent_methods[value])]);
    });
    var form = el("form", { className: "stack" }, [
      el("p", { className: "notice", text: noticeText() }),
      el("label", { className: "choice" }, [given, document.createTextNode(" " + T.consent_given)]),
      error,
      el("fieldset", { className: "choices" }, [el("legend", { text: T.consent_how })].concat(methods)),
      el("p", {}, [el("button", { type: "submit", text: T.save_consent })]),
    ]);
    form.hidden = true;
    open.addEventListener("click", function () {
      form.hidden = !form.hidden;
      open.setAttribute("aria-expanded", String(!form.hidden));
    });
    form.addEventListener("submit", function (event) {
      event.preventDefault();
      if (!given.checked) { error.textContent = T.consent_required; return; }
      var how = form.querySelector("input[type=radio]:checked").value;
      F.giveConsent(item.seq, how).then(refresh).then(sendSoon);
    });
    box.appendChild(el("p", {}, [open]));
    box.appendChild(form);
    return box;
  }

  function conflictView(item) {
    var mine = (item.body && item.body.scores) || {};
    var server = item.server.self || {};
    var codes = Object.keys(Object.assign({}, mine, server)).sort(function (a, b) {
      return a.localeCompare(b, "en", { numeric: true });
    });
    var head = el("tr", {}, [el("th", { scope: "col", text: T.indicator }),
      el("th", { scope: "col", text: T.mine }), el("th", { scope: "col", text: T.theirs })]);
    var rows = codes.map(function (code) {
      var differs = Number(mine[code]) !== Number(server[code]);
      return el("tr", differs ? { className: "differs" } : {}, [
        el("th", { scope: "row", text: code }),
        el("td", { text: mine[code] === undefined ? "–" : String(mine[code]) }),
        el("td", { text: server[code] === undefined ? "–" : String(server[code]) }),
      ]);
    });
    return el("div", { className: "conflict" }, [
      el("p", { text: fmt(T.conflict_state, { state: T.states[item.server.state] || item.server.state }) }),
      el("table", {}, [el("caption", { text: T.conflict_caption }), el("thead", {}, [head]),
        el("tbody", {}, rows)]),
    ]);
  }

  function resolveButtons(item) {
    var box = el("p", { className: "resolve" });
    function button(label, action) {
      var b = el("button", { type: "button", text: label });
      b.addEventListener("click", function () { action().then(refresh); });
      box.appendChild(b);
    }
    if (item.status === "conflict" && item.kind !== "enrol" && item.server) {
      button(T.keep_mine, function () { return F.keepMine(item.seq); });
      button(T.take_theirs, function () { return F.takeServer(item.seq); });
    } else {
      button(T.discard, function () {
        var question = item.kind === "attendance" ? T.discard_attendance : T.discard_confirm;
        return window.confirm(question) ? F.discard(item.assessment) : Promise.resolve();
      });
    }
    return box;
  }

  // Downloading the village.

  function session() {
    return fetch(config.session, { credentials: "same-origin", cache: "no-store" }).then(function (r) {
      if (r.status === 401) return null;
      if (!r.ok) throw new Error("session");
      return r.json();
    });
  }

  function renderDownload() {
    var online = navigator.onLine;
    $("download-form").hidden = true;
    $("signin").hidden = true;
    if (!online) return Promise.resolve();
    return session().then(function (found) {
      state.session = found;
      if (!found) { $("signin").hidden = false; return; }
      var periods = $("download-period");
      periods.textContent = "";
      found.periods.forEach(function (p) { periods.appendChild(el("option", { value: p.code, text: p.code })); });
      if (state.pack) periods.value = state.pack.period.code;
      fillUnits();
      $("download-form").hidden = false;
    }, function () { /* no answer: stay with what the phone holds */ });
  }

  function fillUnits() {
    var chosen = $("download-period").value;
    var period = state.session.periods.filter(function (p) { return p.code === chosen; })[0];
    var units = $("download-unit");
    units.textContent = "";
    if (!period) return;
    var top = Math.min.apply(null, period.units.map(function (u) { return u.depth; }));
    period.units.forEach(function (u) {
      var indent = new Array(u.depth - top + 1).join("\u2003");
      units.appendChild(el("option", { value: u.code, text: indent + u.name + " (" + u.code + ")" }));
    });
    if (state.pack) units.value = state.pack.unit.code;
  }

  function download(event) {
    event.preventDefault();
    var form = new FormData($("download-form"));
    var button = $("download-form").querySelector("button");
    button.disabled = true;
    notice(T.downloading);
    fetch(config.pack, {
      method: "POST", body: form, credentials: "same-origin",
      headers: { "X-CSRFToken": state.session.csrf },
    }).then(function (r) {
      return r.json().catch(function () { return {}; }).then(function (data) {
        if (!r.ok) throw new Error(data.detail || T.download_failed);
        return Promise.all([keepScheme(data.scheme), F.getMeta("token")]).then(function (got) {
          if (!got[0].ok) throw new Error(T.download_failed);
          return F.savePack(data).then(function () { signOut(got[1]); });
        });
      });
    }).then(function () {
      state.expired = false;
      return refresh();
    }).then(function () {
      notice(fmt(T.downloaded, { unit: state.pack.unit.name, n: state.pack.citizens.length }));
    }, function (error) {
      notice(error.message === "Failed to fetch" ? T.offline : error.message);
    }).finally(function () { button.disabled = false; });
  }

  // The token of an earlier pack is no longer needed once a new one is kept: end it.
  function signOut(token) {
    if (!token || !token.token) return Promise.resolve(null);
    return fetch(config.api + "token", {
      method: "DELETE", headers: { Authorization: "Bearer " + token.token }, credentials: "omit",
    }).catch(function () { return null; });
  }

  // Enrolment.

  function fillSelect(select, options, blank) {
    select.textContent = "";
    if (blank !== undefined) select.appendChild(el("option", { value: "", text: blank }));
    options.forEach(function (o) { select.appendChild(el("option", { value: o[0], text: o[1] })); });
  }

  function openEnrol(citizenId) {
    var form = $("enrol-form");
    form.reset();
    $("enrol-errors").textContent = "";
    fillSelect($("enrol-unit"), state.pack.units.map(function (u) { return [u.code, u.name]; }));
    fillSelect($("enrol-ethnicity"), state.pack.ethnicities.map(function (n) { return [n, n]; }), "");
    fillSelect($("enrol-group"), state.scheme.groups.map(function (g) {
      return [g.code, g.code + ". " + g.name];
    }), "");
    var households = $("households");
    households.textContent = "";
    state.pack.households.forEach(function (h) {
      households.appendChild(el("option", { value: h.code, label: h.head || h.code }));
    });
    var person = state.pack.citizens.filter(function (c) { return String(c.id) === citizenId; })[0];
    if (person && (person.enrolment || recordsByPerson().of[person.id])) {
      // Enrolled already, here or elsewhere: never a second time.
      notice(T.already_enrolled_period);
      location.hash = "";
      return;
    }
    $("enrol-notice").textContent = noticeText();
    $("enrol-consent-error").textContent = "";
    form.dataset.citizen = person ? String(person.id) : "";
    if (person) {
      $("enrol-unit").value = person.unit;
      $("enrol-name").value = person.full_name;
      $("enrol-year").value = person.birth_year;
      form.querySelector("input[name=sex][value=" + person.sex + "]").checked = true;
      $("enrol-ethnicity").value = person.ethnicity;
      $("enrol-household").value = person.household;
    } else if (state.pack.units.length) {
      $("enrol-unit").value = state.pack.units[state.pack.units.length > 1 ? 1 : 0].code;
    }
    show("enrol");
    $("enrol-name").focus();
  }

  function enrolErrors(data) {
    var errors = [];
    var year = Number(data.birth_year);
    if (!data.full_name) errors.push(T.need_name);
    if (!/^\d{4}$/.test(data.birth_year) || year < 1900 || year > new Date().getFullYear()) {
      errors.push(T.bad_year);
    }
    if (!data.sex) errors.push(T.need_sex);
    if (data.national_id && !/^\d{12}$/.test(data.national_id)) errors.push(T.bad_national_id);
    if (!data.group) errors.push(T.need_group);
    var same = state.records.filter(function (r) {
      return r.unit === data.unit && fold(r.citizen.full_name) === fold(data.full_name) &&
        String(r.citizen.birth_year) === data.birth_year;
    });
    if (same.length) errors.push(T.already_enrolled);
    var taken = state.pack.citizens.filter(function (c) {
      return c.enrolment && personKey(c.unit, c.full_name, c.birth_year) ===
        personKey(data.unit, data.full_name, data.birth_year);
    });
    if (taken.length && !same.length) errors.push(T.already_enrolled_period);
    return errors;
  }

  function saveEnrol(event) {
    event.preventDefault();
    var form = $("enrol-form");
    var raw = new FormData(form);
    var data = {};
    ["unit", "full_name", "birth_year", "sex", "ethnicity", "national_id", "household", "group"]
      .forEach(function (k) { data[k] = String(raw.get(k) || "").normalize("NFC").trim().replace(/\s+/g, " "); });
    data.national_id = data.national_id.replace(/\s/g, "");
    var errors = enrolErrors(data);
    var list = $("enrol-errors");
    list.textContent = "";
    errors.forEach(function (e) { list.appendChild(el("li", { text: e })); });
    // Told next to the tick itself, which sits just above the list.
    var consented = raw.get("consent") === "yes";
    $("enrol-consent-error").textContent = consented ? "" : T.consent_required;
    if (errors.length || !consented) return;
    var id = F.uuid();
    var citizen = {
      full_name: data.full_name, birth_year: Number(data.birth_year), sex: data.sex,
      ethnicity: data.ethnicity, national_id: data.national_id || null, household: data.household,
    };
    var body = {
      id: id, period: state.pack.period.code, unit: data.unit, group: data.group,
      consent: { given: true, how: String(raw.get("consent_how") || "paper") }, citizen: citizen,
    };
    var record = {
      id: id, citizen: Object.assign({ unit: data.unit }, citizen), unit: data.unit, group: data.group,
      citizenId: form.dataset.citizen ? Number(form.dataset.citizen) : null,
      state: "registered", version: null, self: {}, local: true, photos: 0,
    };
    F.enqueue(record, [{ kind: "enrol", assessment: id, body: body, size: JSON.stringify(body).length }])
      .then(refresh).then(function () {
        location.hash = "#assess/" + id;
        sendSoon();
      });
  }

  // Self-assessment.

  function indicators() {
    var all = [];
    state.scheme.criteria.forEach(function (c) { c.indicators.forEach(function (i) { all.push(i); }); });
    return all;
  }

  function openAssess(id) {
    var record = state.records.filter(function (r) { return r.id === id; })[0];
    if (!record) { location.hash = ""; return; }
    state.editing = record;
    state.photos.forEach(function (p) { URL.revokeObjectURL(p.url); });
    state.photos = [];
    $("assess-title").textContent = record.citizen.full_name;
    $("assess-who").textContent = [record.citizen.birth_year, unitName(record.unit),
      T.states[record.state] || record.state].join(" · ");
    $("assess-errors").textContent = "";
    var box = $("indicators");
    box.textContent = "";
    state.scheme.criteria.forEach(function (criterion) {
      box.appendChild(el("h2", { text: criterion.code + ". " + criterion.name }));
      criterion.indicators.forEach(function (indicator) {
        var text = (indicator.text_by_group || {})[record.group] || indicator.text;
        var inputId = "score-" + indicator.code;
        var hintId = inputId + "-hint";
        var value = record.self[indicator.code];
        box.appendChild(el("label", { for: inputId, text: indicator.code + ". " + text }));
        box.appendChild(el("input", {
          id: inputId, name: indicator.code, inputmode: "decimal", className: "score",
          "aria-describedby": hintId, autocomplete: "off",
          value: value === undefined ? "" : String(value).replace(".", ","),
        }));
        box.appendChild(el("small", {
          id: hintId, className: "hint",
          text: fmt(T.score_range, { max: indicator.max, step: String(indicator.step || 1).replace(".", ",") }) +
            (indicator.evidence ? " " + T.evidence + ": " + indicator.evidence : ""),
        }));
      });
    });
    fillSelect($("photo-indicator"), indicators().map(function (i) { return [i.code, i.code]; }));
    $("photos").textContent = "";
    preview();
    show("assess");
  }

  function scoreValue(raw, indicator) {
    var text = String(raw).trim().replace(",", ".");
    if (!text) return { missing: true };
    if (!/^\d+(\.\d+)?$/.test(text)) return { error: fmt(T.bad_score, { code: indicator.code }) };
    var number = Number(text);
    var step = Number(indicator.step || 1);
    var steps = number / step;
    if (number > Number(indicator.max) || Math.abs(steps - Math.round(steps)) > 1e-9) {
      return { error: fmt(T.score_out_of_range, { code: indicator.code, max: indicator.max }) };
    }
    return { value: text };
  }

  function readScores() {
    var scores = {}, errors = [], missing = 0;
    indicators().forEach(function (indicator) {
      var read = scoreValue($("score-" + indicator.code).value, indicator);
      if (read.missing) missing += 1;
      else if (read.error) errors.push(read.error);
      else scores[indicator.code] = read.value;
    });
    return { scores: scores, errors: errors, missing: missing };
  }

  // The same rule as the server's, from the same scheme file, evaluated exactly (rules.js).
  function preview() {
    var read = readScores();
    var box = $("assess-preview");
    box.className = "preview";
    if (read.errors.length) { box.textContent = read.errors.join(" "); return; }
    if (read.missing) {
      box.textContent = fmt(T.still_to_score, { n: read.missing });
      return;
    }
    var outcome = window.HoctapRules.evaluate(state.scheme.rule, read.scores);
    var label = (state.scheme.results || {})[outcome.code] || outcome.code;
    box.textContent = fmt(T.preview, { total: outcome.total.replace(".", ","), result: label });
    box.className = "preview " + (outcome.passed ? "ok" : "warn");
  }

  function addPhoto() {
    var input = $("photo");
    var file = input.files && input.files[0];
    if (!file) return;
    var code = $("photo-indicator").value;
    input.disabled = true;
    window.HoctapPhotos.shrink(file, { maxSide: config.photoMaxSide, maxBytes: config.photoMaxBytes })
      .then(function (small) {
        var photo = { id: F.uuid(), blob: small, name: small.name || "photo.jpg", indicator: code,
          url: URL.createObjectURL(small) };
        state.photos.push(photo);
        $("photos").appendChild(el("li", {}, [
          el("img", { src: photo.url, alt: fmt(T.photo_for, { code: code }), width: "96" }),
          el("span", { text: " " + code + " · " + size(small.size) }),
        ]));
      }).finally(function () {
        input.value = "";
        input.disabled = false;
      });
  }

  function saveAssess(event) {
    event.preventDefault();
    var record = state.editing;
    var read = readScores();
    var errors = read.errors.slice();
    if (read.missing) errors.push(fmt(T.still_to_score, { n: read.missing }));
    var list = $("assess-errors");
    list.textContent = "";
    errors.forEach(function (e) { list.appendChild(el("li", { text: e })); });
    if (errors.length) return;
    var items = [
      { kind: "scores", assessment: record.id, body: { scores: read.scores },
        size: JSON.stringify(read.scores).length },
      { kind: "self_assess", assessment: record.id, body: {}, size: 0 },
    ];
    state.photos.forEach(function (p) {
      items.push({ kind: "evidence", assessment: record.id, evidence: p.id,
        body: { name: p.name, indicators: [p.indicator] }, size: p.blob.size });
    });
    var updated = Object.assign({}, record, { self: read.scores, photos: record.photos + state.photos.length });
    F.enqueue(updated, items, state.photos).then(function () {
      state.photos.forEach(function (p) { URL.revokeObjectURL(p.url); });
      state.photos = [];
      notice(fmt(T.saved, { name: record.citizen.full_name }));
      location.hash = "";
      return refresh();
    }).then(sendSoon, function (error) { notice(T.save_failed + " " + error); });
  }

  // Attendance at the learning centre's sessions: who of the village came, ticked on the
  // phone, queued like any record and sent when there is signal.

  function sessionLabel(session) {
    var day = session.date.split("-").reverse().join("/");
    return fmt(T.session_label, { course: session.course, date: day });
  }

  function openAttend() {
    var sessions = state.pack.sessions || [];
    if (!sessions.length) { location.hash = ""; return null; }
    var select = $("attend-session");
    var chosen = select.value;
    fillSelect(select, sessions.map(function (s) { return [String(s.id), sessionLabel(s)]; }));
    if (chosen) select.value = chosen;
    $("attend-search").value = "";
    $("attend-errors").textContent = "";
    show("attend");
    return renderAttend();
  }

  // Who is already present: as the office had it (updated as sheets are sent), plus what
  // this phone queued for the session and has not been refused.
  function presentAt(session) {
    return F.all("outbox").then(function (items) {
      var present = new Set(session.present || []);
      items.forEach(function (item) {
        var queued = item.status === "waiting" || item.status === "sending";
        if (item.kind === "attendance" && queued && item.body.session === session.id) {
          item.body.citizens.forEach(function (id) { present.add(id); });
        }
      });
      return present;
    });
  }

  function currentSession() {
    var id = Number($("attend-session").value);
    return (state.pack.sessions || []).filter(function (s) { return s.id === id; })[0];
  }

  function renderAttend() {
    var session = currentSession();
    if (!session) return Promise.resolve();
    return presentAt(session).then(function (present) {
      var query = fold($("attend-search").value);
      var list = $("attend-people");
      list.textContent = "";
      var attendees = new Set(state.pack.attendees || []);
      state.pack.citizens.forEach(function (person) {
        if (!attendees.has(person.id)) return; // only people of the commune attend its centre
        var known = present.has(person.id);
        var box = el("input", { type: "checkbox", name: "citizen", value: String(person.id) });
        box.checked = known;
        box.disabled = known; // recorded already: attendance is only ever added
        var item = el("li", {}, [el("label", {}, [box, document.createTextNode(
          " " + person.full_name + " · " + person.birth_year)])]);
        item.hidden = Boolean(query) && fold(person.full_name).indexOf(query) < 0;
        list.appendChild(item);
      });
      countTicked();
    });
  }

  function ticked() {
    return Array.prototype.filter.call(
      $("attend-people").querySelectorAll("input[type=checkbox]"),
      function (box) { return box.checked && !box.disabled; }
    ).map(function (box) { return Number(box.value); });
  }

  function countTicked() {
    $("attend-count").textContent = fmt(T.attend_count, { n: ticked().length });
  }

  function filterAttend() {
    var query = fold($("attend-search").value);
    Array.prototype.forEach.call($("attend-people").children, function (item) {
      item.hidden = Boolean(query) && fold(item.textContent).indexOf(query) < 0;
    });
  }

  function saveAttend(event) {
    event.preventDefault();
    var session = currentSession();
    var citizens = ticked();
    var errors = $("attend-errors");
    errors.textContent = "";
    if (!session || !citizens.length) {
      errors.appendChild(el("li", { text: T.attend_none }));
      return;
    }
    var body = { session: session.id, citizens: citizens };
    // Each sheet is an item of its own: one that is refused does not hold back the next.
    var item = { kind: "attendance", assessment: "attendance-" + F.uuid(), body: body,
      label: sessionLabel(session), size: JSON.stringify(body).length };
    F.enqueue(null, [item]).then(function () {
      notice(fmt(T.attend_saved, { n: citizens.length }));
      location.hash = "";
      return refresh();
    }).then(sendSoon, function (error) { notice(T.save_failed + " " + error); });
  }

  // Sending.

  function sendSoon() {
    if (!navigator.onLine) {
      registerBackgroundSync();
      return Promise.resolve();
    }
    return send();
  }

  function registerBackgroundSync() {
    if (!("serviceWorker" in navigator)) return;
    navigator.serviceWorker.ready.then(function (registration) {
      if (registration.sync) return registration.sync.register("hoctap-outbox");
      return null;
    }).catch(function () { /* not offered by this browser: the Send button remains */ });
  }

  function freshToken() {
    return session().then(function (found) {
      if (!found) return false;
      return fetch(config.token, {
        method: "POST", credentials: "same-origin", headers: { "X-CSRFToken": found.csrf },
      }).then(function (r) { return r.ok ? r.json() : null; }).then(function (data) {
        if (!data) return false;
        return F.setMeta("token", data).then(function () { return true; });
      });
    }).catch(function () { return false; });
  }

  function send() {
    if (state.sending) return Promise.resolve();
    state.sending = true;
    $("send").disabled = true;
    notice(T.sending);
    // Redraw at most twice a second while sending: a redraw reads the whole outbox, and once
    // per item that made a long outbox quadratic (bench/sync.py --send app).
    var progress = function () {
      if (state.redraw) return;
      state.redraw = setTimeout(function () { state.redraw = null; renderOutbox(); }, 500);
    };
    return F.sync({ base: config.api, progress: progress }).then(function (result) {
      if (result.stopped !== "auth") return result;
      return freshToken().then(function (renewed) {
        return renewed ? F.sync({ base: config.api, progress: progress }) : result;
      });
    }).then(function (result) {
      var messages = {
        "": T.sent, network: T.offline, retry: T.server_busy, auth: T.sign_in_to_send,
      };
      var told = fmt(messages[result.stopped], { n: result.sent });
      if (result.held) told += " " + fmt(T.consent_waiting, { n: result.held });
      notice(told);
      if (result.stopped === "network" || result.stopped === "retry") registerBackgroundSync();
    }, function (error) {
      notice(T.send_failed + " " + error);
    }).finally(function () {
      state.sending = false;
      return refresh();
    });
  }

  // Removing the data.

  function removeData() {
    return F.summary().then(function (s) {
      var everything = false;
      if (s.waiting) {
        if (!window.confirm(fmt(T.remove_unsent, { n: s.waiting }))) return null;
        everything = true;
      } else if (!window.confirm(T.remove_confirm)) {
        return null;
      }
      return F.getMeta("token").then(function (token) {
        // Sign the phone out where there is signal; an expired token ends by itself.
        return navigator.onLine ? signOut(token) : null;
      }).then(function () {
        return F.removeData(true);
      }).then(dropSchemes).then(function () {
        notice(T.removed);
        return refresh();
      });
    });
  }

  // Screens and start-up.

  function show(name) {
    ["home", "enrol", "assess", "attend"].forEach(function (screen) {
      $("screen-" + screen).hidden = screen !== name;
    });
    window.scrollTo(0, 0);
  }

  function route() {
    var hash = location.hash.replace(/^#/, "");
    var parts = hash.split("/");
    if (state.pack && state.scheme && parts[0] === "enrol") return openEnrol(parts[1] || "");
    if (state.pack && state.scheme && parts[0] === "assess" && parts[1]) return openAssess(parts[1]);
    if (state.pack && parts[0] === "attend") return openAttend();
    show("home");
    renderHome();
    return null;
  }

  function refresh() {
    return load().then(function () {
      if ($("screen-home").hidden === false) renderHome();
      else renderOutbox();
    });
  }

  function network() {
    var badge = $("network");
    badge.textContent = navigator.onLine ? T.online : T.offline_badge;
    badge.className = "badge " + (navigator.onLine ? "ok" : "warn");
  }

  function registerWorker() {
    if (!("serviceWorker" in navigator)) return;
    navigator.serviceWorker.register(config.worker).then(function (registration) {
      function waiting() {
        if (registration.waiting && navigator.serviceWorker.controller) $("update").hidden = false;
      }
      waiting();
      registration.addEventListener("updatefound", function () {
        var worker = registration.installing;
        if (worker) worker.addEventListener("statechange", waiting);
      });
      $("update-now").addEventListener("click", function () {
        if ($("screen-home").hidden) return; // a form is open: finish it first
        if (registration.waiting) registration.waiting.postMessage("activate-now");
      });
    });
    var reloading = false;
    navigator.serviceWorker.addEventListener("controllerchange", function () {
      // Reload into the new release only when the officer asked for it on the home screen.
      if (!reloading && !$("update").hidden) { reloading = true; location.reload(); }
    });
    navigator.serviceWorker.addEventListener("message", function (event) {
      if (event.data && event.data.synced) refresh();
    });
  }

  function start() {
    network();
    window.addEventListener("online", function () { network(); renderDownload(); sendSoon(); });
    window.addEventListener("offline", function () { network(); renderDownload(); });
    window.addEventListener("hashchange", route);
    $("download-form").addEventListener("submit", download);
    $("download-period").addEventListener("change", fillUnits);
    $("enrol-form").addEventListener("submit", saveEnrol);
    $("assess-form").addEventListener("submit", saveAssess);
    $("assess-form").addEventListener("input", function (event) {
      if (event.target.classList.contains("score")) preview();
    });
    $("photo").addEventListener("change", addPhoto);
    $("attend-form").addEventListener("submit", saveAttend);
    $("attend-session").addEventListener("change", renderAttend);
    $("attend-search").addEventListener("input", filterAttend);
    $("attend-people").addEventListener("change", countTicked);
    $("search").addEventListener("input", renderPeople);
    $("send").addEventListener("click", send);
    $("clear-sent").addEventListener("click", function () { F.clearSent().then(refresh); });
    $("remove-data").addEventListener("click", removeData);
    registerWorker();
    // Ask the browser not to clear the outbox when the phone runs short of space.
    if (navigator.storage && navigator.storage.persist) navigator.storage.persist().catch(function () {});
    load().then(function () {
      route();
      renderDownload();
      document.body.dataset.ready = "true";
      return F.summary();
    }).then(function (s) {
      if (s.waiting && navigator.onLine) send();
    });
  }

  start();
})();
