// The infokg viewer: filters, search, focus, details and export over a vis-network graph.
// Every string from the plans reaches the page through textContent or as a text node,
// never as markup, so a name written as an HTML tag shows as the characters it is.
(function () {
  "use strict";

  const read = (id) => JSON.parse(document.getElementById(id).textContent);
  const meta = read("kg-meta");
  const nodeItems = read("kg-nodes");
  const edgeItems = read("kg-edges");
  const options = read("kg-options");
  const $ = (id) => document.getElementById(id);

  /** An element with properties (never innerHTML) and children (strings become text). */
  function el(tag, props, ...children) {
    const node = Object.assign(document.createElement(tag), props || {});
    for (const child of children) if (child !== null && child !== undefined) node.append(child);
    return node;
  }

  // --- indexes -------------------------------------------------------------------------
  const nodeById = new Map(nodeItems.map((n) => [n.id, n]));
  const edgeById = new Map(edgeItems.map((e) => [e.id, e]));
  const outgoing = new Map(nodeItems.map((n) => [n.id, []]));
  const incoming = new Map(nodeItems.map((n) => [n.id, []]));
  for (const e of edgeItems) {
    outgoing.get(e.from).push(e);
    incoming.get(e.to).push(e);
  }
  const NO_PERIOD = meta.periods.length; // the bucket of entities from plans without a period
  for (const e of edgeItems) {
    e.plans = [...new Set(e.ev.map((ev) => ev[0]))];
    e.periods = [...new Set(e.plans.map((p) => meta.planPeriods[p]).filter((p) => p >= 0))];
  }

  // --- network -------------------------------------------------------------------------
  const nodes = new vis.DataSet(nodeItems.map(visNode));
  const edges = new vis.DataSet(edgeItems.map(visEdge));
  const network = new vis.Network($("network"), { nodes, edges }, options);
  const hidden = { nodes: new Set(), edges: new Set() };
  // each animation frame redraws everything: smooth for hundreds of nodes, jerky for thousands
  const animation = nodeItems.length > 2000 ? false : { duration: 300 };

  function visNode(n) {
    return { id: n.id, label: n.label, x: n.x, y: n.y, color: n.color, shape: n.shape, size: n.size };
  }
  function visEdge(e) {
    const item = { id: e.id, from: e.from, to: e.to, color: e.color, width: e.width };
    if (e.smooth) item.smooth = e.smooth;
    return item;
  }

  // White behind the drawing so an exported PNG is not transparent.
  network.on("beforeDrawing", (ctx) => {
    ctx.save();
    ctx.setTransform(1, 0, 0, 1, 0, 0);
    ctx.fillStyle = "#ffffff";
    ctx.fillRect(0, 0, ctx.canvas.width, ctx.canvas.height);
    ctx.restore();
  });

  // --- filters -------------------------------------------------------------------------
  const facets = [
    { key: "types", title: "Entity types", values: meta.types.map((t) => t.name), of: (n) => [n.t],
      swatch: (i) => swatch(meta.types[i].colour, meta.types[i].shape) },
    { key: "relations", title: "Relations", values: meta.relations.map((r) => r.name), edgesOnly: true,
      swatch: (i) => swatch(meta.relations[i].colour, "line") },
    { key: "plans", title: "Plans", values: meta.plans, of: (n) => n.p },
    { key: "jurisdictions", title: "Jurisdictions", values: meta.jurisdictions, of: (n) => [n.j] },
    { key: "periods", title: "Periods", values: [...meta.periods, "(no period)"],
      of: (n) => (n.r.length ? n.r : [NO_PERIOD]) },
  ];
  const checked = {};
  for (const f of facets) checked[f.key] = new Array(f.values.length).fill(true);

  function swatch(colour, shape) {
    const s = el("span", { className: "swatch " + shape });
    s.style.color = colour;
    return s;
  }

  function buildFilters() {
    const counts = (f) => {
      const c = new Array(f.values.length).fill(0);
      if (f.edgesOnly) for (const e of edgeItems) c[e.rt]++;
      else for (const n of nodeItems) for (const v of f.of(n)) c[v]++;
      return c;
    };
    for (const f of facets) {
      const count = counts(f);
      const list = el("ul");
      const boxes = [];
      f.values.forEach((value, i) => {
        if (count[i] === 0) return;
        const box = el("input", { type: "checkbox", checked: true, value: String(i) });
        box.dataset.facet = f.key;
        box.addEventListener("change", () => { checked[f.key][i] = box.checked; applyView(); });
        boxes.push([box, i]);
        list.append(el("li", null, el("label", null, box, f.swatch ? f.swatch(i) : null,
          el("span", { className: "value", textContent: value }),
          el("span", { className: "count", textContent: String(count[i]) }))));
      });
      const setAll = (state) => {
        for (const [box, i] of boxes) { box.checked = state; checked[f.key][i] = state; }
        applyView();
      };
      const details = el("details", { className: "facet", open: f.key !== "plans" || f.values.length <= 12 },
        el("summary", { textContent: f.title }),
        el("div", { className: "actions" },
          el("button", { type: "button", textContent: "all", onclick: () => setAll(true) }),
          el("button", { type: "button", textContent: "none", onclick: () => setAll(false) })),
        list);
      details.dataset.facet = f.key;
      $("filters").append(details);
    }
  }

  const any = (flags, values) => values.some((v) => flags[v]);

  function nodePasses(n) {
    return facets.every((f) => f.edgesOnly || any(checked[f.key], f.of(n)));
  }
  /** The edge's own filters; vis itself hides the edges of hidden nodes. */
  function edgeOwnPasses(e) {
    return checked.relations[e.rt]
      && (e.plans.length === 0 || any(checked.plans, e.plans))
      && (e.periods.length === 0 || any(checked.periods, e.periods));
  }
  function edgePasses(e, shown) {
    return shown.has(e.from) && shown.has(e.to) && edgeOwnPasses(e);
  }

  // --- focus ---------------------------------------------------------------------------
  let selected = null; // node id shown in the panel
  let focusHops = 0;

  /** Nodes within `hops` relations of `start`, walking only what the filters let through. */
  function neighbourhood(start, hops, passing) {
    const seen = new Set([start]);
    let frontier = [start];
    for (let h = 0; h < hops; h++) {
      const next = [];
      for (const id of frontier) {
        for (const e of outgoing.get(id).concat(incoming.get(id))) {
          const other = e.from === id ? e.to : e.from;
          if (!seen.has(other) && passing.has(other) && edgePasses(e, passing)) {
            seen.add(other);
            next.push(other);
          }
        }
      }
      frontier = next;
    }
    return seen;
  }

  /** Show what the filters and the focus let through, by updating only what changed. */
  function applyView() {
    let shown = new Set(nodeItems.filter(nodePasses).map((n) => n.id));
    const focused = focusHops > 0 && selected !== null;
    if (focused) shown = neighbourhood(selected, focusHops, new Set([...shown, selected]));
    const nodeChanges = [];
    for (const n of nodeItems) {
      const hide = !shown.has(n.id);
      if (hide !== hidden.nodes.has(n.id)) {
        nodeChanges.push({ id: n.id, hidden: hide });
        if (hide) hidden.nodes.add(n.id); else hidden.nodes.delete(n.id);
      }
    }
    const edgeChanges = [];
    let edgeCount = 0;
    for (const e of edgeItems) {
      const hide = !edgeOwnPasses(e); // only what vis cannot infer: updates are costly
      if (!hide && shown.has(e.from) && shown.has(e.to)) edgeCount++;
      if (hide !== hidden.edges.has(e.id)) {
        edgeChanges.push({ id: e.id, hidden: hide });
        if (hide) hidden.edges.add(e.id); else hidden.edges.delete(e.id);
      }
    }
    if (nodeChanges.length) nodes.update(nodeChanges);
    if (edgeChanges.length) edges.update(edgeChanges);
    if (focused) network.fit({ nodes: [...shown], maxZoomLevel: 1.5, animation });
    const focusNote = focused ? ` · focus: ${focusHops} hop${focusHops > 1 ? "s" : ""} around ${nodeById.get(selected).label}` : "";
    $("status").textContent = `${shown.size} of ${nodeItems.length} entities, ${edgeCount} of ${edgeItems.length} relations shown${focusNote}`;
  }

  // --- selection and the panel ---------------------------------------------------------
  function entityButton(id) {
    const n = nodeById.get(id);
    return el("button", { type: "button", className: "entity", textContent: n.label, title: meta.types[n.t].name,
                          onclick: () => selectNode(id, true) });
  }

  function evidenceList(e) {
    const list = el("div", { className: "evidence" });
    for (const [plan, text] of e.ev) {
      list.append(el("blockquote", { textContent: text }), el("cite", { textContent: "— " + meta.plans[plan] }));
    }
    return list;
  }

  function relationBlock(e, fromHere) {
    const relation = meta.relations[e.rt];
    // read as a sentence: "leads → X" from this entity, "X leads → this" into it
    const head = fromHere
      ? el("div", { className: "head" }, swatch(relation.colour, "line"),
          el("span", { className: "type", textContent: relation.name + " →" }), entityButton(e.to))
      : el("div", { className: "head" }, swatch(relation.colour, "line"), entityButton(e.from),
          el("span", { className: "type", textContent: relation.name + " →" }), el("span", { className: "muted", textContent: "this" }));
    return el("div", { className: "relation" }, head, evidenceList(e));
  }

  function showNode(id) {
    const n = nodeById.get(id);
    const type = meta.types[n.t];
    const panel = $("panel");
    panel.replaceChildren(
      el("h2", { textContent: n.label }),
      el("span", { className: "badge" }, swatch(type.colour, type.shape), type.name),
      el("dl", null,
        el("dt", { textContent: "Jurisdiction" }), el("dd", { textContent: meta.jurisdictions[n.j] }),
        el("dt", { textContent: "Period" }), el("dd", { textContent: n.r.map((r) => meta.periods[r]).join("、") || "—" }),
        el("dt", { textContent: "Mentions" }), el("dd", { textContent: String(n.m) }),
        el("dt", { textContent: "IRI" }), el("dd", { className: "muted", textContent: n.iri })));
    if (n.a.length) panel.append(el("h3", { textContent: "Aliases" }), el("ul", null, ...n.a.map((a) => el("li", { textContent: a }))));
    panel.append(el("h3", { textContent: "Plans" }), el("ul", null, ...n.p.map((p) => el("li", { textContent: meta.plans[p] }))));
    const out = outgoing.get(id), into = incoming.get(id);
    panel.append(el("h3", { textContent: `Relations (${out.length + into.length})` }));
    if (!out.length && !into.length) panel.append(el("p", { className: "hint", textContent: "No relation stated." }));
    for (const e of out) panel.append(relationBlock(e, true));
    for (const e of into) panel.append(relationBlock(e, false));
    if (hidden.nodes.has(id)) panel.prepend(el("p", { className: "hint", textContent: "Hidden by the current filters." }));
    panel.scrollTop = 0;
  }

  function showEdge(id) {
    const e = edgeById.get(id);
    const relation = meta.relations[e.rt];
    $("panel").replaceChildren(
      el("h2", null, relation.name),
      el("span", { className: "badge" }, swatch(relation.colour, "line"), "relation"),
      el("div", { className: "relation" },
        el("div", { className: "head" }, entityButton(e.from), el("span", { className: "type", textContent: "→ " + relation.name + " →" }), entityButton(e.to))),
      el("h3", { textContent: `Evidence (${e.ev.length})` }),
      evidenceList(e));
    $("panel").scrollTop = 0;
  }

  function selectNode(id, moveCamera) {
    selected = id;
    if (focusHops > 0) applyView();
    if (!hidden.nodes.has(id)) {
      network.selectNodes([id]);
      if (moveCamera && focusHops === 0) {
        network.focus(id, { scale: Math.max(network.getScale(), 1.1), animation });
      }
    } else {
      network.unselectAll();
    }
    showNode(id);
  }

  network.on("click", (params) => {
    if (params.nodes.length) selectNode(params.nodes[0], false);
    else if (params.edges.length) showEdge(params.edges[0]);
  });

  // --- tooltip -------------------------------------------------------------------------
  const tooltip = $("tooltip");
  function showTooltip(pointer, ...lines) {
    tooltip.replaceChildren(...lines);
    tooltip.hidden = false;
    const box = $("graph").getBoundingClientRect();
    const x = Math.min(pointer.DOM.x + 14, box.width - tooltip.offsetWidth - 4);
    const y = Math.min(pointer.DOM.y + 14, box.height - tooltip.offsetHeight - 4);
    tooltip.style.left = Math.max(0, x) + "px";
    tooltip.style.top = Math.max(0, y) + "px";
  }
  const clip = (text, length) => (text.length > length ? text.slice(0, length) + "…" : text);
  network.on("hoverNode", (params) => {
    const n = nodeById.get(params.node);
    showTooltip(params.pointer,
      el("strong", { textContent: n.label }),
      el("p", { className: "muted", textContent: `${meta.types[n.t].name} · ${meta.jurisdictions[n.j]}` }),
      n.a.length ? el("p", { textContent: "Aliases: " + n.a.join("、") }) : null,
      el("p", { textContent: "Plans: " + n.p.map((p) => meta.plans[p]).join("；") }));
  });
  network.on("hoverEdge", (params) => {
    const e = edgeById.get(params.edge);
    showTooltip(params.pointer,
      el("strong", { textContent: `${nodeById.get(e.from).label} → ${meta.relations[e.rt].name} → ${nodeById.get(e.to).label}` }),
      e.ev.length ? el("p", { textContent: "“" + clip(e.ev[0][1], 140) + "”" }) : null,
      el("p", { className: "muted", textContent: `${e.ev.length} sentence${e.ev.length === 1 ? "" : "s"} · click for all` }));
  });
  for (const event of ["blurNode", "blurEdge", "dragStart", "zoom"]) network.on(event, () => { tooltip.hidden = true; });

  // --- search --------------------------------------------------------------------------
  const names = nodeItems.map((n) => ({ id: n.id, forms: [n.label, ...n.a].map((s) => s.toLowerCase()) }));
  const results = $("search-results");
  const search = $("search");
  let matches = [];
  let active = -1;

  /** Up to 30 entities whose name or alias contains the query: exact, then prefix, then inside. */
  function lookUp(query) {
    const q = query.trim().toLowerCase();
    if (!q) return [];
    const found = [];
    for (const { id, forms } of names) {
      let best = null;
      forms.forEach((form, k) => {
        const at = form.indexOf(q);
        if (at < 0) return;
        const score = (form === q ? 0 : at === 0 ? 1 : 2) * 2 + (k > 0 ? 1 : 0);
        if (best === null || score < best.score) best = { id, score, alias: k > 0 ? nodeById.get(id).a[k - 1] : null };
      });
      if (best) found.push(best);
    }
    found.sort((a, b) => a.score - b.score || nodeById.get(a.id).label.length - nodeById.get(b.id).label.length || a.id - b.id);
    return found.slice(0, 30);
  }

  function renderResults() {
    results.replaceChildren(...matches.map((m, i) => {
      const n = nodeById.get(m.id);
      const type = meta.types[n.t];
      const item = el("li", { role: "option", id: "result-" + i }, swatch(type.colour, type.shape),
        el("span", { className: "name", textContent: n.label }),
        el("span", { className: "note", textContent: (m.alias ? "alias " + m.alias + " · " : "") + meta.jurisdictions[n.j] + (hidden.nodes.has(n.id) ? " · hidden" : "") }));
      item.setAttribute("aria-selected", String(i === active));
      item.addEventListener("mousedown", (event) => { event.preventDefault(); choose(i); });
      return item;
    }));
    results.hidden = matches.length === 0;
    search.setAttribute("aria-expanded", String(!results.hidden));
    if (active >= 0) search.setAttribute("aria-activedescendant", "result-" + active);
    else search.removeAttribute("aria-activedescendant");
  }

  function choose(i) {
    const m = matches[i];
    if (!m) return;
    search.value = nodeById.get(m.id).label;
    matches = [];
    active = -1;
    renderResults();
    selectNode(m.id, true);
  }

  search.addEventListener("input", () => { matches = lookUp(search.value); active = matches.length ? 0 : -1; renderResults(); });
  search.addEventListener("keydown", (event) => {
    if (event.key === "ArrowDown" || event.key === "ArrowUp") {
      if (!matches.length) return;
      event.preventDefault();
      active = (active + (event.key === "ArrowDown" ? 1 : matches.length - 1)) % matches.length;
      renderResults();
      results.children[active].scrollIntoView({ block: "nearest" });
    } else if (event.key === "Enter") {
      event.preventDefault();
      choose(Math.max(active, 0));
    } else if (event.key === "Escape") {
      matches = [];
      renderResults();
    }
  });
  search.addEventListener("blur", () => { matches = []; renderResults(); });

  // --- toolbar -------------------------------------------------------------------------
  $("focus").addEventListener("change", (event) => {
    focusHops = Number(event.target.value);
    applyView();
    if (focusHops === 0) network.fit({ animation });
  });
  $("edge-labels").addEventListener("change", (event) => {
    const on = event.target.checked;
    edges.update(edgeItems.map((e) => ({ id: e.id, label: on ? meta.relations[e.rt].name : "" })));
  });
  $("fit").addEventListener("click", () => network.fit({ animation }));

  // The legend is drawn into the exported picture only, in its top left corner.
  let drawLegend = false;
  network.on("afterDrawing", (ctx) => {
    if (!drawLegend) return;
    const ratio = window.devicePixelRatio || 1;
    const rows = [...meta.types.map((t) => [t.name, t.colour]), ...meta.relations.map((r) => ["→ " + r.name, r.colour])];
    ctx.save();
    ctx.setTransform(ratio, 0, 0, ratio, 0, 0);
    ctx.fillStyle = "rgba(255,255,255,0.9)";
    ctx.fillRect(8, 8, 170, rows.length * 18 + 28);
    ctx.font = "bold 13px system-ui, sans-serif";
    ctx.fillStyle = "#1f2328";
    ctx.fillText(meta.title, 16, 26);
    ctx.font = "12px system-ui, sans-serif";
    rows.forEach(([name, colour], i) => {
      ctx.fillStyle = colour;
      ctx.fillRect(16, 36 + i * 18, 12, 10);
      ctx.fillStyle = "#1f2328";
      ctx.fillText(name, 34, 45 + i * 18);
    });
    ctx.restore();
  });

  $("export").addEventListener("click", () => {
    drawLegend = true;
    network.redraw();
    const canvas = $("network").querySelector("canvas");
    const link = el("a", { href: canvas.toDataURL("image/png"), download: (meta.title || "infokg").replace(/[\\/:*?"<>|\s]+/g, "_") + ".png" });
    drawLegend = false;
    network.redraw();
    document.body.append(link);
    link.click();
    link.remove();
  });

  // --- start ---------------------------------------------------------------------------
  $("title").textContent = meta.title;
  buildFilters();
  applyView();
  network.once("afterDrawing", () => {
    document.body.dataset.ready = String(Math.round(performance.now()));
  });
  // For scripted checks and the console: read-only handles on the live view.
  window.infokg = Object.freeze({ network, nodes, edges, meta, selectNode, lookUp });
})();
