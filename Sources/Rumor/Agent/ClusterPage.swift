import RumorWire

/// The agent's live cluster page, served at `GET /`: one self-contained
/// document (HTML, CSS and JavaScript, no external asset, no framework)
/// that shows the members with their status and tags, the services with
/// each instance's health and the one `resolve` picks, and a timeline of
/// `/v1/events`. It keeps itself current without a reload: every event
/// and every change of a blocking query on `/v1/services` refreshes the
/// members and services. Everything from the cluster reaches the DOM as
/// text (`textContent`, attribute values), never as markup: member names
/// and tags are whatever a peer gossips.
enum ClusterPage {
  /// The page's style sheet (hashed into the Content-Security-Policy).
  static let style = #"""
    :root { color-scheme: light dark; --ok: #1a7f37; --warn: #b26b00; --bad: #cf222e; --dim: #6e7781; }
    * { box-sizing: border-box; }
    body { margin: 0; font: 14px/1.45 system-ui, -apple-system, "Segoe UI", sans-serif; }
    header { display: flex; gap: 1em; align-items: baseline; padding: 10px 18px; border-bottom: 1px solid #8884; }
    header h1 { font-size: 18px; margin: 0; }
    #connection { margin-left: auto; font-size: 12px; color: var(--dim); }
    #connection[data-state="live"] { color: var(--ok); }
    #connection[data-state="error"] { color: var(--bad); }
    main { display: grid; grid-template-columns: minmax(0, 3fr) minmax(0, 2fr); gap: 0 24px; padding: 0 18px 18px; }
    #members-section, #services-section { grid-column: 1; }
    #events-section { grid-column: 2; grid-row: 1 / span 2; }
    h2 { font-size: 15px; margin: 16px 0 6px; }
    h2 small { font-weight: normal; color: var(--dim); }
    table { border-collapse: collapse; width: 100%; }
    th, td { text-align: left; padding: 3px 8px 3px 0; border-bottom: 1px solid #8882; vertical-align: top; }
    th { font-weight: 600; font-size: 12px; color: var(--dim); }
    .mono { font-family: ui-monospace, "SFMono-Regular", Menlo, monospace; font-size: 12.5px; overflow-wrap: anywhere; }
    .nowrap { white-space: nowrap; overflow-wrap: normal; }
    .badge { display: inline-block; padding: 0 7px; border-radius: 9px; font-size: 12px; border: 1px solid currentColor; }
    .s-alive, .h-passing { color: var(--ok); }
    .s-suspect, .h-warning { color: var(--warn); }
    .s-failed, .h-critical { color: var(--bad); font-weight: 600; }
    .s-left, .s-unknown, .h-unknown { color: var(--dim); }
    tr[data-status="failed"] td:first-child { text-decoration: line-through; }
    .tag { display: inline-block; margin: 1px 4px 1px 0; padding: 0 5px; border-radius: 4px; background: #8882; }
    .tag.svc { background: #2f81f733; }
    .none { color: var(--dim); }
    .service { margin-bottom: 12px; }
    .service h3 { font-size: 14px; margin: 8px 0 2px; }
    .pick { font-size: 12.5px; color: var(--dim); margin-bottom: 2px; }
    tr[data-picked="true"] td:first-child::before { content: "\2192  "; font-weight: 700; }
    #timeline { list-style: none; margin: 0; padding: 0; max-height: 80vh; overflow-y: auto; }
    #timeline li { padding: 3px 0; border-bottom: 1px solid #8882; }
    #timeline time { color: var(--dim); font-size: 12px; margin-right: 6px; }
    .verb { display: inline-block; min-width: 70px; font-weight: 600; }
    .e-joined, .e-recovered { color: var(--ok); }
    .e-suspect { color: var(--warn); }
    .e-failed { color: var(--bad); }
    .e-left, .e-reaped, .e-updated { color: var(--dim); }
    """#

  /// The page's script (hashed into the Content-Security-Policy).
  static let script = #"""
    "use strict";
    (function () {
      var MAX_EVENTS = 200;
      var STATUSES = ["alive", "suspect", "failed", "left"];
      var HEALTHS = ["passing", "warning", "critical"];
      var VERBS = ["joined", "updated", "suspect", "recovered", "failed", "left", "reaped"];

      function el(tag, attributes, text) {
        var node = document.createElement(tag);
        if (attributes) {
          Object.keys(attributes).forEach(function (name) {
            node.setAttribute(name, String(attributes[name]));
          });
        }
        if (text !== undefined && text !== null) node.textContent = String(text);
        return node;
      }
      function known(list, word) { return list.indexOf(word) >= 0 ? word : "unknown"; }
      function text(value) { return typeof value === "string" ? value : String(value); }
      function setConnection(state, words) {
        var node = document.getElementById("connection");
        node.setAttribute("data-state", state);
        node.textContent = words;
      }
      function getJSON(path) {
        return fetch(path, { cache: "no-store" }).then(function (response) {
          return response.json().then(function (body) {
            return { ok: response.ok, body: body, index: response.headers.get("X-Rumor-Index") };
          });
        });
      }

      function renderMembers(members) {
        members.sort(function (a, b) { return text(a.name) < text(b.name) ? -1 : 1; });
        var rows = members.map(function (member) {
          var status = known(STATUSES, member.status);
          var row = el("tr", { "data-member": text(member.name), "data-status": text(member.status) });
          row.appendChild(el("td", { "class": "mono nowrap" }, member.name));
          row.appendChild(el("td", { "class": "mono nowrap" }, text(member.address) + ":" + text(member.port)));
          var cell = el("td");
          cell.appendChild(el("span", { "class": "badge s-" + status }, member.status));
          row.appendChild(cell);
          var tags = el("td", { "class": "mono" });
          var names = Object.keys(member.tags || {}).sort();
          if (names.length === 0) tags.appendChild(el("span", { "class": "none" }, "no tags"));
          names.forEach(function (name) {
            var service = name.indexOf("svc.") === 0;
            tags.appendChild(el("span", { "class": service ? "tag svc" : "tag", "data-tag": name },
              name + "=" + text(member.tags[name])));
          });
          row.appendChild(tags);
          return row;
        });
        document.getElementById("member-rows").replaceChildren.apply(
          document.getElementById("member-rows"), rows);
        var failed = members.filter(function (m) { return m.status === "failed"; }).length;
        document.getElementById("member-count").textContent =
          members.length + " known" + (failed ? ", " + failed + " failed" : "");
      }

      function renderServices(names, instances, picks) {
        var blocks = names.map(function (name, position) {
          var pick = picks[position] && picks[position].ok ? picks[position].body : null;
          var block = el("div", { "class": "service", "data-service": name });
          block.appendChild(el("h3", { "class": "mono" }, name));
          block.appendChild(el("div", { "class": "pick mono", "data-pick-node": pick && pick.node ? text(pick.node) : "" },
            pick ? "resolve picks " + text(pick.url) + " (" + text(pick.source) + (pick.node ? ", " + text(pick.node) : "") + ")"
              : "resolve finds no URL"));
          var table = el("table");
          var head = el("tr");
          ["node", "url", "health", "member"].forEach(function (title) { head.appendChild(el("th", null, title)); });
          table.appendChild(head);
          instances.filter(function (i) { return i.service === name; }).forEach(function (instance) {
            var picked = !!(pick && pick.instance && pick.instance.node === instance.node && pick.instance.url === instance.url);
            var row = el("tr", { "data-instance-node": text(instance.node), "data-health": text(instance.health), "data-picked": picked ? "true" : "false" });
            row.appendChild(el("td", { "class": "mono nowrap" }, instance.node));
            row.appendChild(el("td", { "class": "mono" }, instance.url));
            var health = el("td");
            health.appendChild(el("span", { "class": "badge h-" + known(HEALTHS, instance.health) }, instance.health));
            row.appendChild(health);
            var member = el("td");
            member.appendChild(el("span", { "class": "s-" + known(STATUSES, instance.member_status) }, instance.member_status));
            row.appendChild(member);
            table.appendChild(row);
          });
          block.appendChild(table);
          return block;
        });
        if (blocks.length === 0) blocks = [el("p", { "class": "none" }, "no member advertises a service")];
        var box = document.getElementById("services");
        box.replaceChildren.apply(box, blocks);
      }

      var refreshing = false, again = false;
      function refresh() {
        if (refreshing) { again = true; return; }
        refreshing = true;
        Promise.all([getJSON("/v1/members"), getJSON("/v1/services")]).then(function (answers) {
          var members = Array.isArray(answers[0].body) ? answers[0].body : [];
          var instances = Array.isArray(answers[1].body) ? answers[1].body : [];
          renderMembers(members);
          var names = [];
          instances.forEach(function (i) { if (names.indexOf(i.service) < 0) names.push(i.service); });
          names.sort();
          return Promise.all(names.map(function (name) {
            return getJSON("/v1/resolve/" + encodeURIComponent(name)).catch(function () { return null; });
          })).then(function (picks) {
            renderServices(names, instances, picks);
            document.body.setAttribute("data-rendered", String(Date.now()));
          });
        }).catch(function (error) {
          setConnection("error", "cannot reach the agent: " + error);
        }).then(function () {
          refreshing = false;
          if (again) { again = false; refresh(); }
        });
      }

      function addEvent(verb, data) {
        var event;
        try { event = JSON.parse(data); } catch (e) { return; }
        var member = (event && event.member) || {};
        var item = el("li", { "data-event": verb, "data-event-member": text(member.name) });
        item.appendChild(el("time", null, new Date().toLocaleTimeString()));
        item.appendChild(el("span", { "class": "verb e-" + known(VERBS, verb) }, verb));
        item.appendChild(el("span", { "class": "mono" }, member.name));
        if (verb === "updated" && member.tags) {
          var tags = Object.keys(member.tags).sort().map(function (n) { return n + "=" + text(member.tags[n]); });
          item.appendChild(el("div", { "class": "mono none" }, tags.join(" ")));
        }
        var timeline = document.getElementById("timeline");
        timeline.insertBefore(item, timeline.firstChild);
        while (timeline.children.length > MAX_EVENTS) timeline.removeChild(timeline.lastChild);
        refresh();
      }

      function watchServices(index) {
        // A blocking query: held by the agent until the services change.
        var path = "/v1/services" + (index ? "?index=" + encodeURIComponent(index) + "&wait=60s" : "");
        fetch(path, { cache: "no-store" }).then(function (response) {
          var next = response.headers.get("X-Rumor-Index");
          if (index && next !== index) refresh();
          setTimeout(function () { watchServices(next); }, 250);
        }).catch(function () { setTimeout(function () { watchServices(null); }, 3000); });
      }

      getJSON("/v1/agent").then(function (answer) {
        if (answer.body && answer.body.name) {
          var agent = document.getElementById("agent");
          agent.textContent = "agent " + text(answer.body.name);
          agent.setAttribute("data-agent", text(answer.body.name));
        }
      }).catch(function () {});
      refresh();
      watchServices(null);
      if (window.EventSource) {
        var source = new EventSource("/v1/events");
        source.onopen = function () { setConnection("live", "live: /v1/events"); };
        source.onerror = function () { setConnection("connecting", "reconnecting to /v1/events\u2026"); };
        VERBS.forEach(function (verb) {
          source.addEventListener(verb, function (message) { addEvent(verb, message.data); });
        });
      }
    })();
    """#

  /// The whole document.
  static let html = """
    <!doctype html>
    <html lang="en">
    <head>
    <meta charset="utf-8">
    <meta name="viewport" content="width=device-width, initial-scale=1">
    <title>Rumor cluster</title>
    <style>\(style)</style>
    </head>
    <body>
    <header><h1>Rumor cluster</h1><span id="agent" class="mono"></span><span id="connection" data-state="connecting">connecting</span></header>
    <main>
    <section id="members-section"><h2>Members <small id="member-count"></small></h2>
    <table id="members"><thead><tr><th>name</th><th>address</th><th>status</th><th>tags</th></tr></thead><tbody id="member-rows"></tbody></table></section>
    <section id="services-section"><h2>Services <small>health of each instance; the arrow is the one resolve picks</small></h2><div id="services"></div></section>
    <section id="events-section"><h2>Events <small>from /v1/events</small></h2><ol id="timeline"></ol></section>
    </main>
    <script>\(script)</script>
    </body>
    </html>

    """

  /// Only the page's own script and style run; it talks to this agent only.
  static let contentSecurityPolicy =
    "default-src 'self'; script-src 'sha256-\(SHA256Digest.base64Digest(script))'; "
    + "style-src 'sha256-\(SHA256Digest.base64Digest(style))'; img-src 'self' data:; "
    + "base-uri 'none'; form-action 'none'; frame-ancestors 'none'"

  /// The page's response, with its security headers.
  static var response: HTTPResponse {
    var response = HTTPResponse(body: html, contentType: "text/html; charset=utf-8")
    response.headers["Content-Security-Policy"] = contentSecurityPolicy
    response.headers["X-Content-Type-Options"] = "nosniff"
    response.headers["Referrer-Policy"] = "no-referrer"
    response.headers["Cache-Control"] = "no-store"
    return response
  }
}
