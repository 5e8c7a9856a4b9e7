// The field app's storage and sync, shared by the page (field.js) and the service worker
// (background sync): the village pack, the records made on the phone, the outbox of what waits
// to be sent, and the photos, all in IndexedDB so that they survive a reload, a restart or a
// dead battery.
//
// Every outbox item names the assessment it belongs to by the client UUID given when the
// record was made, and is sent in the order it was queued. Sending is safe to repeat: the API
// answers a re-sent enrolment with the same record (200) and a re-sent photo with the same
// evidence; a score or workflow step that was applied but whose answer was lost shows up as a
// version conflict (409), after which the record is fetched and the item counts as done when
// the server already holds what it would have written. A real conflict (someone changed the
// record at the office meanwhile) stops that assessment's items and keeps both versions for
// the officer to choose.
(function (root) {
  "use strict";

  var DB_NAME = "hoctap-field";
  var DB_VERSION = 1;
  var SELF_EDITABLE = ["registered", "self_assessed", "returned"];
  var BEFORE_SELF_ASSESSED = ["registered", "returned"];
  var TIMEOUT = 45000; // milliseconds
  var UPLOAD_TIMEOUT = 180000;
  var opened = null;

  // IndexedDB, promised.

  function database() {
    if (opened) return opened;
    opened = new Promise(function (resolve, reject) {
      var request = indexedDB.open(DB_NAME, DB_VERSION);
      request.onupgradeneeded = function () {
        var db = request.result;
        db.createObjectStore("meta");
        db.createObjectStore("records", { keyPath: "id" });
        db.createObjectStore("outbox", { keyPath: "seq", autoIncrement: true });
        db.createObjectStore("blobs");
      };
      request.onsuccess = function () { resolve(request.result); };
      request.onerror = function () { opened = null; reject(request.error); };
    });
    return opened;
  }

  // Run `work(stores)` in one transaction over `names`; resolve with its result once the
  // transaction has committed, so that a write either happens whole or not at all.
  function transact(names, mode, work) {
    return database().then(function (db) {
      return new Promise(function (resolve, reject) {
        var tx = db.transaction(names, mode);
        var stores = {};
        names.forEach(function (name) { stores[name] = tx.objectStore(name); });
        var result;
        tx.oncomplete = function () { resolve(result); };
        tx.onabort = tx.onerror = function () { reject(tx.error); };
        Promise.resolve(work(stores)).then(function (value) { result = value; }, function (error) {
          try { tx.abort(); } catch (ignored) { /* already finished */ }
          reject(error);
        });
      });
    });
  }

  function req(request) {
    return new Promise(function (resolve, reject) {
      request.onsuccess = function () { resolve(request.result); };
      request.onerror = function () { reject(request.error); };
    });
  }

  function getMeta(key) {
    return transact(["meta"], "readonly", function (s) { return req(s.meta.get(key)); });
  }

  function setMeta(key, value) {
    return transact(["meta"], "readwrite", function (s) { return req(s.meta.put(value, key)); });
  }

  function all(name) {
    return transact([name], "readonly", function (s) { return req(s[name].getAll()); });
  }

  function getRecord(id) {
    return transact(["records"], "readonly", function (s) { return req(s.records.get(id)); });
  }

  // The pack.

  function isExpired(pack, now) {
    return Boolean(pack) && Date.parse(pack.expires_at) <= (now || Date.now());
  }

  // Keep a freshly downloaded pack. Records with work still waiting to be sent keep what the
  // officer entered; every other record is replaced by the server's.
  function savePack(pack) {
    return pending().then(function (busy) {
      return transact(["meta", "records"], "readwrite", function (s) {
        var token = { token: pack.token, expires_at: pack.expires_at };
        var kept = Object.assign({}, pack);
        delete kept.token;
        delete kept.assessments;
        var people = {};
        pack.citizens.forEach(function (c) { people[c.id] = c; });
        var writes = [req(s.meta.put(kept, "pack")), req(s.meta.put(token, "token"))];
        return req(s.records.getAll()).then(function (records) {
          records.forEach(function (r) {
            if (!busy.has(r.id)) writes.push(req(s.records.delete(r.id)));
          });
          pack.assessments.forEach(function (a) {
            if (busy.has(a.id)) return;
            var person = people[a.citizen] || {};
            writes.push(req(s.records.put({
              id: a.id, citizen: person, citizenId: a.citizen, unit: a.unit, group: a.group,
              state: a.state, version: a.version, self: a.self, local: false, photos: 0,
            })));
          });
          return Promise.all(writes);
        });
      });
    });
  }

  // Delete the pack and every record, photo and sent item the phone holds. Work not yet sent
  // is kept unless `everything` is true (the officer confirmed losing it).
  function removeData(everything) {
    return transact(["meta", "records", "outbox", "blobs"], "readwrite", function (s) {
      return req(s.outbox.getAll()).then(function (items) {
        var busy = new Set();
        var writes = [req(s.meta.delete("pack"))];
        items.forEach(function (item) {
          if (everything || !isWaiting(item)) writes.push(req(s.outbox.delete(item.seq)));
          else busy.add(item.assessment);
        });
        if (everything) writes.push(req(s.blobs.clear()), req(s.meta.delete("token")));
        return req(s.records.getAll()).then(function (records) {
          records.forEach(function (r) {
            if (!busy.has(r.id)) writes.push(req(s.records.delete(r.id)));
          });
          return Promise.all(writes);
        });
      });
    });
  }

  // The outbox.

  function isWaiting(item) {
    return item.status === "waiting" || item.status === "sending" ||
      item.status === "conflict" || item.status === "failed";
  }

  // An enrolment queued before consent was asked for (or refused for the lack of it) waits
  // for the officer to record the person's consent: sent as it is, it would only be refused.
  function needsConsent(item) {
    if (item.kind !== "enrol" || !isWaiting(item) || !item.body) return false;
    var consent = item.body.consent;
    return !(consent && consent.given === true && consent.how) || item.code === "consent_missing";
  }

  // Record on a queued enrolment that the person agreed, and how; it is then sent as any other.
  function giveConsent(seq, how) {
    return transact(["outbox"], "readwrite", function (s) {
      return req(s.outbox.get(seq)).then(function (item) {
        if (!item || item.kind !== "enrol" || !item.body) return null;
        var body = Object.assign({}, item.body, { consent: { given: true, how: how } });
        return req(s.outbox.put(Object.assign(item, {
          body: body, status: "waiting", detail: "", code: "", size: JSON.stringify(body).length,
        })));
      });
    });
  }

  function pending() {
    return all("outbox").then(function (items) {
      var busy = new Set();
      items.forEach(function (item) { if (isWaiting(item)) busy.add(item.assessment); });
      return busy;
    });
  }

  // Write a record and queue its items (and photos) in one transaction.
  function enqueue(record, items, photos) {
    return storable(photos || []).then(function (values) {
      return transact(["records", "outbox", "blobs"], "readwrite", function (s) {
        // Attendance has no record of its own: only its item is queued.
        var writes = record ? [req(s.records.put(record))] : [];
        values.forEach(function (value) { writes.push(req(s.blobs.put(value.data, value.id))); });
        items.forEach(function (item) {
          writes.push(req(s.outbox.add(Object.assign({
            id: uuid(), status: "waiting", created: new Date().toISOString(), detail: "",
          }, item))));
        });
        return Promise.all(writes);
      });
    });
  }

  // Some browsers (older Safari) cannot keep a Blob in IndexedDB. Try once with a tiny one;
  // where that fails, photos are kept as their bytes instead.
  var blobsWork = null;

  function canStoreBlobs() {
    if (blobsWork) return blobsWork;
    blobsWork = transact(["blobs"], "readwrite", function (s) {
      var probe = new Blob(["probe"], { type: "text/plain" });
      return req(s.blobs.put(probe, "probe")).then(function () { return req(s.blobs.delete("probe")); });
    }).then(function () { return true; }, function () { return false; });
    return blobsWork;
  }

  function storable(photos) {
    return canStoreBlobs().then(function (blobs) {
      return Promise.all(photos.map(function (photo) {
        if (blobs) return { id: photo.id, data: photo.blob };
        return photo.blob.arrayBuffer().then(function (buffer) {
          return { id: photo.id, data: { bytes: buffer, type: photo.blob.type, size: photo.blob.size } };
        });
      }));
    });
  }

  function readBlob(key) {
    return transact(["blobs"], "readonly", function (s) { return req(s.blobs.get(key)); })
      .then(function (stored) {
        if (!stored || stored instanceof Blob) return stored;
        return new Blob([stored.bytes], { type: stored.type });
      });
  }

  function summary() {
    return all("outbox").then(function (items) {
      var waiting = items.filter(isWaiting);
      var photos = waiting.filter(function (i) { return i.kind === "evidence"; });
      return {
        records: new Set(waiting.filter(function (i) { return i.kind !== "evidence"; })
          .map(function (i) { return i.assessment; })).size,
        photos: photos.length,
        bytes: waiting.reduce(function (sum, i) { return sum + (i.size || 0); }, 0),
        waiting: waiting.length,
        conflicts: waiting.filter(function (i) { return i.status === "conflict"; }).length,
        consent: waiting.filter(needsConsent).length,
        items: items.sort(function (a, b) { return a.seq - b.seq; }),
      };
    });
  }

  function updateItem(item, changes) {
    return transact(["outbox"], "readwrite", function (s) {
      return req(s.outbox.get(item.seq)).then(function (current) {
        if (!current) return null;
        var next = Object.assign(current, changes);
        return req(s.outbox.put(next)).then(function () { return next; });
      });
    });
  }

  // A sent item keeps its status to show, but no longer the personal data it carried. Sent
  // attendance joins the pack's sheet of that session, as the office now has it.
  function markDone(item, detail) {
    return transact(["outbox", "blobs", "meta"], "readwrite", function (s) {
      var writes = [req(s.outbox.put(Object.assign({}, item, {
        status: "done", body: null, server: null, detail: detail || "",
        sent: new Date().toISOString(),
      })))];
      if (item.kind === "evidence") writes.push(req(s.blobs.delete(item.evidence)));
      if (item.kind === "attendance") {
        writes.push(req(s.meta.get("pack")).then(function (pack) {
          var session = pack && (pack.sessions || []).filter(function (one) {
            return one.id === item.body.session;
          })[0];
          if (!session) return null;
          var present = new Set(session.present || []);
          item.body.citizens.forEach(function (id) { present.add(id); });
          session.present = Array.from(present);
          return req(s.meta.put(pack, "pack"));
        }));
      }
      return Promise.all(writes);
    });
  }

  function updateRecord(id, changes) {
    return transact(["records"], "readwrite", function (s) {
      return req(s.records.get(id)).then(function (record) {
        if (!record) return null;
        return req(s.records.put(Object.assign(record, changes)));
      });
    });
  }

  // Sending.

  function Api(base, token, fetcher) {
    this.base = base;
    this.token = token;
    this.fetch = fetcher;
  }

  // Resolve to {status, data}; reject only when the network failed (nothing was answered).
  Api.prototype.call = function (method, path, body) {
    var headers = { Authorization: "Bearer " + this.token, Accept: "application/json" };
    var init = { method: method, headers: headers, credentials: "omit", cache: "no-store" };
    var upload = body instanceof FormData;
    if (upload) {
      init.body = body;
    } else if (body !== undefined) {
      headers["Content-Type"] = "application/json";
      init.body = JSON.stringify(body);
    }
    // A weak signal can leave a request hanging: give up after a while, as if it dropped.
    var timer = null;
    if (typeof AbortController !== "undefined") {
      var abort = new AbortController();
      init.signal = abort.signal;
      timer = setTimeout(function () { abort.abort(); }, upload ? UPLOAD_TIMEOUT : TIMEOUT);
    }
    return this.fetch(this.base + path, init).then(function (response) {
      return response.json().catch(function () { return {}; }).then(function (data) {
        return { status: response.status, data: data };
      });
    }).finally(function () { clearTimeout(timer); });
  };

  function sameScores(a, b) {
    var keys = Object.keys(a || {});
    if (keys.length !== Object.keys(b || {}).length) return false;
    return keys.every(function (k) { return b[k] !== undefined && Number(a[k]) === Number(b[k]); });
  }

  function recordFrom(data) {
    return { version: data.version, state: data.state, self: data.scores ? data.scores.self : {} };
  }

  // What to do with an answer: "done", "conflict", "failed", "retry" (server trouble: stop and
  // try again later) or "auth" (the token is no longer accepted).
  function judge(status) {
    if (status === 200 || status === 201 || status === 204) return "done";
    if (status === 401) return "auth";
    if (status === 409) return "conflict";
    if (status >= 500 || status === 429 || status === 408) return "retry";
    return "failed";
  }

  // A refusal, with the server's words and its machine-readable code (spec §5), which tells
  // apart what one status can mean: a 409 is a stale version or a duplicate enrolment.
  function refused(verdict, answer) {
    return { verdict: verdict, detail: answer.data.detail, code: answer.data.code || "" };
  }

  var SENDERS = {
    enrol: function (item, api) {
      return api.call("POST", "assessments", item.body).then(function (answer) {
        var verdict = judge(answer.status);
        if (verdict !== "done") return refused(verdict, answer);
        return updateRecord(item.assessment, Object.assign(recordFrom(answer.data), { local: false }))
          .then(function () { return { verdict: "done" }; });
      });
    },

    scores: function (item, api, record) {
      var version = item.force !== undefined && item.force !== null ? item.force : record.version;
      var body = { layer: "self", scores: item.body.scores, version: version };
      var path = "assessments/" + item.assessment + "/scores";
      return api.call("PUT", path, body).then(function (answer) {
        var verdict = judge(answer.status);
        if (verdict === "done") {
          return updateRecord(item.assessment, recordFrom(answer.data))
            .then(function () { return { verdict: "done" }; });
        }
        if (verdict !== "conflict") return refused(verdict, answer);
        return current(api, item).then(function (server) {
          if (server.verdict) return server;
          var data = server.data;
          if (sameScores(data.scores.self, item.body.scores)) {
            return updateRecord(item.assessment, recordFrom(data))
              .then(function () { return { verdict: "done", detail: "already" }; });
          }
          return Object.assign(refused("conflict", answer), { server: serverSide(data) });
        });
      });
    },

    self_assess: function (item, api, record) {
      if (BEFORE_SELF_ASSESSED.indexOf(record.state) < 0) {
        return Promise.resolve({ verdict: "done", detail: "already" });
      }
      var body = { action: "self_assess", version: record.version, reason: "" };
      var path = "assessments/" + item.assessment + "/transitions";
      return api.call("POST", path, body).then(function (answer) {
        var verdict = judge(answer.status);
        if (verdict === "done") {
          return updateRecord(item.assessment, recordFrom(answer.data))
            .then(function () { return { verdict: "done" }; });
        }
        if (verdict !== "conflict") return refused(verdict, answer);
        return current(api, item).then(function (server) {
          if (server.verdict) return server;
          var data = server.data;
          if (BEFORE_SELF_ASSESSED.indexOf(data.state) < 0 && sameScores(data.scores.self, record.self)) {
            return updateRecord(item.assessment, recordFrom(data))
              .then(function () { return { verdict: "done", detail: "already" }; });
          }
          return Object.assign(refused("conflict", answer), { server: serverSide(data) });
        });
      });
    },

    // Attendance at a learning centre's session: recording it twice changes nothing, so a
    // batch sent again after a lost answer is simply answered again.
    attendance: function (item, api) {
      var path = "sessions/" + item.body.session + "/attendance";
      return api.call("POST", path, { citizens: item.body.citizens }).then(function (answer) {
        var verdict = judge(answer.status);
        return { verdict: verdict, detail: verdict === "done" ? "" : answer.data.detail };
      });
    },

    evidence: function (item, api) {
      return readBlob(item.evidence).then(function (blob) {
        if (!blob) return { verdict: "failed", detail: "missing" };
        var form = new FormData();
        form.append("file", blob, item.body.name);
        form.append("indicators", item.body.indicators.join(","));
        form.append("id", item.evidence);
        var path = "assessments/" + item.assessment + "/evidence";
        return api.call("POST", path, form).then(function (answer) {
          var verdict = judge(answer.status);
          return { verdict: verdict, detail: verdict === "done" ? "" : answer.data.detail };
        });
      });
    },
  };

  function current(api, item) {
    return api.call("GET", "assessments/" + item.assessment).then(function (answer) {
      var verdict = judge(answer.status);
      return verdict === "done" ? { data: answer.data } : { verdict: verdict, detail: answer.data.detail };
    });
  }

  function serverSide(data) {
    return { version: data.version, state: data.state, self: data.scores.self };
  }

  function withLock(work) {
    var locks = root.navigator && root.navigator.locks;
    return locks ? locks.request("hoctap-field-sync", work) : work();
  }

  // Send every waiting item in order. Resolve to {sent, stopped}: stopped is "" when the
  // outbox was worked through, "network" or "retry" when the connection or the server failed
  // (the rest waits for the next try) and "auth" when the sync token was refused.
  function sync(options) {
    var fetcher = (options && options.fetch) || root.fetch.bind(root);
    var progress = (options && options.progress) || function () {};
    return withLock(function () {
      return Promise.all([getMeta("token"), all("outbox")]).then(function (loaded) {
        var token = loaded[0];
        if (!token || !token.token) return { sent: 0, stopped: "auth" };
        var api = new Api((options && options.base) || "/api/v1/", token.token, fetcher);
        var items = loaded[1].sort(function (a, b) { return a.seq - b.seq; });
        var blocked = new Set();
        items.forEach(function (i) {
          if (i.status === "conflict" || i.status === "failed") blocked.add(i.assessment);
        });
        var queue = items.filter(function (i) { return i.status === "waiting" || i.status === "sending"; });
        var sent = 0;
        var held = 0;
        function next(index) {
          if (index >= queue.length) return { sent: sent, stopped: "", held: held };
          var item = queue[index];
          if (blocked.has(item.assessment)) return next(index + 1);
          if (needsConsent(item)) {
            // Kept, not sent; and the record's later items wait with it.
            held += 1;
            blocked.add(item.assessment);
            return next(index + 1);
          }
          return updateItem(item, { status: "sending" }).then(function () {
            progress(item, "sending");
            return item.kind === "attendance" ? {} : getRecord(item.assessment);
          }).then(function (record) {
            if (!record) return { verdict: "failed", detail: "missing" };
            return SENDERS[item.kind](item, api, record);
          }).then(function (outcome) {
            if (outcome.verdict === "done") {
              sent += 1;
              return markDone(item, outcome.detail).then(function () {
                progress(item, "done");
                return next(index + 1);
              });
            }
            if (outcome.verdict === "retry" || outcome.verdict === "auth") {
              return updateItem(item, { status: "waiting" }).then(function () {
                return { sent: sent, stopped: outcome.verdict };
              });
            }
            blocked.add(item.assessment);
            return updateItem(item, {
              status: outcome.verdict, detail: outcome.detail || "", server: outcome.server || null,
              code: outcome.code || "",
            }).then(function () {
              progress(item, outcome.verdict);
              return next(index + 1);
            });
          }, function () {
            // No answer at all: the connection dropped. Whatever reached the server is
            // recognised when this item is sent again.
            return updateItem(item, { status: "waiting" }).then(function () {
              return { sent: sent, stopped: "network" };
            });
          });
        }
        return next(0);
      });
    });
  }

  // Resolving conflicts.

  // Send the officer's version anyway, over the version now on the server.
  function keepMine(seq) {
    return transact(["outbox"], "readwrite", function (s) {
      return req(s.outbox.get(seq)).then(function (item) {
        var force = item.server ? item.server.version : null;
        return req(s.outbox.put(Object.assign(item, {
          status: "waiting", force: force, detail: "", code: "",
        })));
      });
    });
  }

  // Take the server's version: drop the officer's change to the record, keep the rest queued.
  function takeServer(seq) {
    return transact(["outbox", "records"], "readwrite", function (s) {
      return req(s.outbox.get(seq)).then(function (item) {
        var server = item.server || {};
        return req(s.records.get(item.assessment)).then(function (record) {
          var writes = [req(s.outbox.put(Object.assign(item, {
            status: "dropped", body: null, server: null, detail: "",
          })))];
          if (record && server.version !== undefined) {
            writes.push(req(s.records.put(Object.assign(record, {
              version: server.version, state: server.state, self: server.self,
            }))));
          }
          return Promise.all(writes);
        });
      });
    });
  }

  // Give up a record that cannot be sent: its items, its photos and the record itself.
  function discard(assessment) {
    return transact(["outbox", "records", "blobs"], "readwrite", function (s) {
      return req(s.outbox.getAll()).then(function (items) {
        var writes = [req(s.records.delete(assessment))];
        items.forEach(function (item) {
          if (item.assessment !== assessment || !isWaiting(item)) return;
          writes.push(req(s.outbox.delete(item.seq)));
          if (item.kind === "evidence") writes.push(req(s.blobs.delete(item.evidence)));
        });
        return Promise.all(writes);
      });
    });
  }

  function clearSent() {
    return transact(["outbox"], "readwrite", function (s) {
      return req(s.outbox.getAll()).then(function (items) {
        return Promise.all(items.filter(function (i) { return !isWaiting(i); })
          .map(function (i) { return req(s.outbox.delete(i.seq)); }));
      });
    });
  }

  function uuid() {
    if (root.crypto && root.crypto.randomUUID) return root.crypto.randomUUID();
    var bytes = root.crypto.getRandomValues(new Uint8Array(16));
    bytes[6] = (bytes[6] & 0x0f) | 0x40;
    bytes[8] = (bytes[8] & 0x3f) | 0x80;
    var hex = Array.prototype.map.call(bytes, function (b) { return (b + 0x100).toString(16).slice(1); });
    return [hex.slice(0, 4), hex.slice(4, 6), hex.slice(6, 8), hex.slice(8, 10), hex.slice(10)]
      .map(function (part) { return part.join(""); }).join("-");
  }

  root.HoctapField = {
    SELF_EDITABLE: SELF_EDITABLE,
    all: all,
    clearSent: clearSent,
    discard: discard,
    enqueue: enqueue,
    getMeta: getMeta,
    getRecord: getRecord,
    giveConsent: giveConsent,
    isExpired: isExpired,
    keepMine: keepMine,
    needsConsent: needsConsent,
    removeData: removeData,
    savePack: savePack,
    setMeta: setMeta,
    summary: summary,
    sync: sync,
    takeServer: takeServer,
    uuid: uuid,
  };
})(typeof self !== "undefined" ? self : this);
