// lmbook.viz attention widget: per-head lines, heatmap and an all-layers x all-heads grid, with
// head mean / max, attention rollout, a token sink toggle, causal-mask shading and a two-model
// difference view. Every view change happens here, over the saved state: no kernel is needed.

const VIEWS = [
  ["lines", "连线", "lines from each query token to the key tokens it attends to"],
  ["heatmap", "热图", "query × key heatmap"],
  ["grid", "总览", "all layers × all heads; click one to open it"],
];
const BLOCK_LABELS = {
  self: "自注意力",
  encoder: "编码器自注意力",
  decoder: "解码器自注意力",
  cross: "交叉注意力",
};
const LINE_MIN = 0.02; // lines fainter than 2% of the strongest are not drawn
const LINES_PER_ROW = 8; // without a focused token, each query shows its 8 strongest links
const MAX_CACHE = 64;

class Store {
  // Quantised matrices (see lmbook/viz/payload.py): float32 row maxima, then uint8 rows.
  constructor(raw, layout) {
    this.layout = layout;
    this.scales = float32At(raw, 0, layout.n_scales);
    this.values = raw.subarray(4 * layout.n_scales);
    this.cache = new Map();
  }

  shape(key) {
    const s = this.layout.sections[key].shape;
    return [s[s.length - 2], s[s.length - 1]];
  }

  // Matrix `index` of section `key`, dequantised to a dense Float32Array (row-major, Q*K).
  matrix(key, index) {
    const id = key + "#" + index;
    const hit = this.cache.get(id);
    if (hit) return hit;
    const info = this.layout.sections[key];
    const [Q, K] = this.shape(key);
    const out = new Float32Array(Q * K);
    const rowBase = info.scale_offset + index * Q;
    const values = this.values;
    if (info.tri) {
      let v = info.value_offset + (index * Q * (Q + 1)) / 2;
      for (let r = 0; r < Q; r++) {
        const s = this.scales[rowBase + r] / 255;
        const o = r * K;
        for (let c = 0; c <= r; c++) out[o + c] = values[v++] * s;
      }
    } else {
      let v = info.value_offset + index * Q * K;
      for (let r = 0; r < Q; r++) {
        const s = this.scales[rowBase + r] / 255;
        const o = r * K;
        for (let c = 0; c < K; c++) out[o + c] = values[v++] * s;
      }
    }
    if (this.cache.size >= MAX_CACHE) this.cache.delete(this.cache.keys().next().value);
    this.cache.set(id, out);
    return out;
  }
}

// The matrix on screen for a model index ("0" or "1"), block, layer and head choice.
function selectMatrix(store, block, model, layer, head) {
  const base = `${model}:${block.name}`;
  if (head === "rollout") return store.matrix(base + ":rollout", layer);
  if (head === "mean" || head === "max") {
    const first = store.matrix(base + ":attn", layer * block.heads);
    const out = new Float32Array(first);
    for (let k = 1; k < block.heads; k++) {
      const m = store.matrix(base + ":attn", layer * block.heads + k);
      if (head === "mean") for (let i = 0; i < out.length; i++) out[i] += m[i];
      else for (let i = 0; i < out.length; i++) out[i] = Math.max(out[i], m[i]);
    }
    if (head === "mean") for (let i = 0; i < out.length; i++) out[i] /= block.heads;
    return out;
  }
  return store.matrix(base + ":attn", layer * block.heads + Number(head));
}

function current(store, block, st) {
  const [Q, K] = store.shape(`0:${block.name}:attn`);
  if (st.source === "diff") {
    const a = selectMatrix(store, block, 0, st.layer, st.head);
    const b = selectMatrix(store, block, 1, st.layer, st.head);
    const d = new Float32Array(a.length);
    for (let i = 0; i < d.length; i++) d[i] = b[i] - a[i];
    return { data: d, Q, K, signed: true };
  }
  return { data: selectMatrix(store, block, st.source, st.layer, st.head), Q, K, signed: false };
}

// Largest |value| over the shown key columns (from k0 on).
function peak(m, k0) {
  let v = 0;
  for (let r = 0; r < m.Q; r++) {
    const o = r * m.K;
    for (let c = k0; c < m.K; c++) v = Math.max(v, Math.abs(m.data[o + c]));
  }
  return v || 1;
}

function labelWidth(ctx, tokens, cap) {
  let w = 0;
  for (const t of tokens) w = Math.max(w, ctx.measureText(tokenLabel(t)).width);
  return Math.min(cap, Math.ceil(w) + 10);
}

function drawHeatmap(view, m, k0) {
  const { canvas, st, block, qTok, kTok, fg } = view;
  const nq = m.Q;
  const nk = m.K - k0;
  const cell = Math.max(1, Math.min(28, Math.floor(560 / Math.max(nq, nk))));
  const labels = cell >= 10;
  const probe = canvas.getContext("2d");
  probe.font = `12px ${CJK_FONT}`;
  const left = labels ? labelWidth(probe, qTok, 90) : 6;
  const keyW = labelWidth(probe, kTok.slice(k0), 90);
  const upright = keyW - 10 <= cell + 2; // short keys (one CJK character) are written upright
  const top = labels ? (upright ? 18 : keyW) : 6;
  const ctx = sizeCanvas(canvas, left + nk * cell + 6, top + nq * cell + 6);
  const vmax = peak(m, k0);
  const img = new ImageData(nk, nq);
  const px = img.data;
  for (let r = 0; r < nq; r++) {
    for (let c = 0; c < nk; c++) {
      const v = m.data[r * m.K + c + k0];
      setPixel(px, 4 * (r * nk + c), lutColor(v / vmax, m.signed));
    }
  }
  ctx.imageSmoothingEnabled = false;
  ctx.drawImage(imageCanvas(img), left, top, nk * cell, nq * cell);
  if (block.causal && st.causal_shading) {
    // masked (future) positions: grey, so "masked" differs from "attends with weight 0"
    ctx.fillStyle = "rgba(150,150,150,0.85)";
    for (let r = 0; r < nq; r++) {
      const c0 = Math.max(r + 1 - k0, 0);
      if (c0 < nk) ctx.fillRect(left + c0 * cell, top + r * cell, (nk - c0) * cell, cell);
    }
  }
  const focus = view.focus();
  if (focus) {
    ctx.strokeStyle = fg;
    ctx.lineWidth = 2;
    if (focus.side === "q") ctx.strokeRect(left, top + focus.index * cell, nk * cell, cell);
    else if (focus.index >= k0) ctx.strokeRect(left + (focus.index - k0) * cell, top, cell, nq * cell);
  }
  if (labels) {
    ctx.fillStyle = fg;
    ctx.font = `12px ${CJK_FONT}`;
    ctx.textBaseline = "middle";
    ctx.textAlign = "right";
    qTok.forEach((t, r) => ctx.fillText(tokenLabel(t), left - 4, top + (r + 0.5) * cell));
    if (upright) {
      ctx.textAlign = "center";
      for (let c = 0; c < nk; c++) ctx.fillText(tokenLabel(kTok[c + k0]), left + (c + 0.5) * cell, top - 9);
    } else {
      ctx.save();
      ctx.rotate(-Math.PI / 2);
      ctx.textAlign = "left";
      for (let c = 0; c < nk; c++) ctx.fillText(tokenLabel(kTok[c + k0]), -top + 4, left + (c + 0.5) * cell);
      ctx.restore();
    }
  }
  view.hit = (x, y) => {
    const r = Math.floor((y - top) / cell);
    const c = Math.floor((x - left) / cell);
    if (r < 0 || r >= nq) return null;
    if (c < 0 && x >= 0) return { side: "q", index: r };
    if (c >= nk) return null;
    const v = m.data[r * m.K + c + k0];
    const masked = block.causal && c + k0 > r;
    return {
      side: "q",
      index: r,
      text: `${tokenDetail(qTok[r])}\n→ ${tokenDetail(kTok[c + k0])}\n${m.signed ? "Δ " : ""}${fmt(v)}${masked ? "（遮罩）" : ""}`,
    };
  };
}

function drawLines(view, m, k0) {
  const { canvas, st, block, qTok, kTok, fg } = view;
  const rowH = 20;
  const probe = canvas.getContext("2d");
  probe.font = `13px ${CJK_FONT}`;
  const leftW = labelWidth(probe, qTok, 140);
  const rightW = labelWidth(probe, kTok, 140);
  const gap = 160;
  const xL = leftW + 4;
  const xR = xL + gap;
  const ctx = sizeCanvas(canvas, xR + rightW + 4, Math.max(m.Q, m.K) * rowH + 8);
  const y = (i) => 4 + (i + 0.5) * rowH;
  const focus = view.focus();
  const vmax = peak(m, k0);
  // focus highlight and causal shading of keys a focused query cannot see
  if (focus) {
    ctx.fillStyle = "rgba(128,128,128,0.22)";
    if (focus.side === "q") ctx.fillRect(0, y(focus.index) - rowH / 2, xL, rowH);
    else ctx.fillRect(xR, y(focus.index) - rowH / 2, rightW, rowH);
    if (focus.side === "q" && block.causal && st.causal_shading && focus.index + 1 < m.K) {
      ctx.fillStyle = "rgba(150,150,150,0.35)";
      const y0 = y(focus.index + 1) - rowH / 2;
      ctx.fillRect(xR, y0, rightW, m.K * rowH + 4 - y0);
    }
  }
  // lines, batched into 16 opacity levels per colour
  const buckets = [Array.from({ length: 16 }, () => []), Array.from({ length: 16 }, () => [])];
  const rows = focus && focus.side === "q" ? [focus.index] : [...Array(m.Q).keys()];
  for (const r of rows) {
    const o = r * m.K;
    let kept = [];
    for (let c = k0; c < m.K; c++) {
      if (focus && focus.side === "k" && c !== focus.index) continue;
      if (Math.abs(m.data[o + c]) >= LINE_MIN * vmax) kept.push(c);
    }
    if (!focus && kept.length > LINES_PER_ROW) {
      // unfocused, only each query's strongest links: legible, and cheap at 512 tokens
      kept = kept.sort((x, y) => Math.abs(m.data[o + y]) - Math.abs(m.data[o + x])).slice(0, LINES_PER_ROW);
    }
    for (const c of kept) {
      const v = m.data[o + c];
      buckets[v < 0 ? 1 : 0][Math.min(15, Math.floor((Math.abs(v) / vmax) * 16))].push(r, c);
    }
  }
  const colors = m.signed
    ? ["rgb(214,96,77)", "rgb(33,102,172)"]
    : [/^\d+$/.test(st.head) ? headColor(Number(st.head)) : "rgb(33,102,172)", ""];
  ctx.lineWidth = focus ? 2 : 1.3;
  buckets.forEach((levels, sign) => {
    levels.forEach((seg, level) => {
      if (!seg.length) return;
      ctx.strokeStyle = colors[sign];
      ctx.globalAlpha = (level + 1) / 16;
      ctx.beginPath();
      for (let s = 0; s < seg.length; s += 2) {
        ctx.moveTo(xL, y(seg[s]));
        ctx.lineTo(xR, y(seg[s + 1]));
      }
      ctx.stroke();
    });
  });
  ctx.globalAlpha = 1;
  ctx.fillStyle = fg;
  ctx.font = `13px ${CJK_FONT}`;
  ctx.textBaseline = "middle";
  ctx.textAlign = "right";
  qTok.forEach((t, i) => ctx.fillText(tokenLabel(t), xL - 4, y(i)));
  ctx.textAlign = "left";
  kTok.forEach((t, i) => {
    ctx.globalAlpha = i < k0 ? 0.3 : 1;
    ctx.fillText(tokenLabel(t), xR + 4, y(i));
  });
  ctx.globalAlpha = 1;
  view.hit = (x, yy) => {
    const i = Math.floor((yy - 4) / rowH);
    if (x < xL && i >= 0 && i < m.Q) return { side: "q", index: i, text: tokenDetail(qTok[i]) };
    if (x > xR && i >= 0 && i < m.K) return { side: "k", index: i, text: tokenDetail(kTok[i]) };
    return null;
  };
}

function drawGrid(view, k0) {
  const { canvas, st, block, store, fg } = view;
  const L = block.layers;
  const H = block.heads;
  const size = Math.max(28, Math.min(72, Math.floor(640 / H) - 6));
  const pad = 6;
  const left = 36;
  const top = 18;
  const W = left + H * (size + pad);
  const Ht = top + L * (size + pad);
  const key = `${st.source}|${block.name}|${k0}|${size}`;
  if (view.gridKey !== key) {
    const img = new ImageData(W, Ht);
    const px = img.data;
    for (let l = 0; l < L; l++) {
      for (let hd = 0; hd < H; hd++) {
        const m = current(store, block, { ...st, layer: l, head: String(hd) });
        const nk = m.K - k0;
        // each thumbnail pixel averages the cells it covers (at least one: small inputs scale up)
        const span = (p, n) => {
          const a = Math.floor((p * n) / size);
          return [a, Math.max(a + 1, Math.floor(((p + 1) * n) / size))];
        };
        const sum = new Float32Array(size * size);
        for (let py = 0; py < size; py++) {
          const [r0, r1] = span(py, m.Q);
          for (let px2 = 0; px2 < size; px2++) {
            const [c0, c1] = span(px2, nk);
            let acc = 0;
            for (let r = r0; r < r1; r++) {
              const o = r * m.K + k0;
              for (let c = c0; c < c1; c++) acc += m.data[o + c];
            }
            sum[py * size + px2] = acc / ((r1 - r0) * (c1 - c0));
          }
        }
        let top2 = 0;
        for (let b = 0; b < sum.length; b++) top2 = Math.max(top2, Math.abs(sum[b]));
        top2 = top2 || 1;
        const x0 = left + hd * (size + pad);
        const y0 = top + l * (size + pad);
        for (let b = 0; b < sum.length; b++) {
          const p = 4 * ((y0 + Math.floor(b / size)) * W + x0 + (b % size));
          setPixel(px, p, lutColor(sum[b] / top2, m.signed));
        }
      }
    }
    view.gridImage = imageCanvas(img);
    view.gridKey = key;
  }
  const ctx = sizeCanvas(canvas, W, Ht);
  ctx.imageSmoothingEnabled = false;
  ctx.drawImage(view.gridImage, 0, 0);
  ctx.fillStyle = fg;
  ctx.font = `11px ${CJK_FONT}`;
  ctx.textBaseline = "middle";
  ctx.textAlign = "center";
  for (let hd = 0; hd < H; hd++) ctx.fillText(`H${hd}`, left + hd * (size + pad) + size / 2, top / 2);
  ctx.textAlign = "right";
  for (let l = 0; l < L; l++) ctx.fillText(`L${l}`, left - 6, top + l * (size + pad) + size / 2);
  if (/^\d+$/.test(st.head)) {
    ctx.strokeStyle = fg;
    ctx.lineWidth = 2;
    ctx.strokeRect(left + Number(st.head) * (size + pad) - 2, top + st.layer * (size + pad) - 2, size + 4, size + 4);
  }
  view.hit = (x, y) => {
    const hd = Math.floor((x - left) / (size + pad));
    const l = Math.floor((y - top) / (size + pad));
    if (hd < 0 || hd >= H || l < 0 || l >= L) return null;
    return { grid: true, layer: l, head: hd, text: `层 ${l} · 头 ${hd}（点击打开热图）` };
  };
}

async function render({ model, el }) {
  const root = h("div", { class: "lmb-widget lmb-attn" });
  el.appendChild(root);
  const meta = model.get("meta");
  const raw = await inflate(toBytes(model.get("payload")));
  const store = new Store(raw, meta.payload);
  const traits = ["view", "block", "layer", "head", "source", "hide_sink", "causal_shading"];
  const st = Object.fromEntries(traits.map((k) => [k, model.get(k)]));
  const toolbar = h("div", { class: "lmb-toolbar" });
  const canvas = h("canvas", { class: "lmb-canvas" });
  const wrap = h("div", { class: "lmb-canvas-wrap" }, [canvas]);
  const status = h("div", { class: "lmb-status" });
  root.append(toolbar, wrap, status);
  const tip = makeTooltip(root);
  const view = { canvas, st, store, hit: null, locked: null, hover: null };
  view.focus = () => view.locked || view.hover;

  const change = (name, value) => {
    st[name] = value;
    setTrait(model, name, value);
    if (name === "block") {
      st.layer = 0;
      st.head = "0";
      setTrait(model, "layer", 0);
      setTrait(model, "head", "0");
      view.locked = null;
      buildToolbar();
    }
    schedule();
  };

  let controls = {};
  function buildToolbar() {
    const block = meta.blocks.find((b) => b.name === st.block);
    const heads = [...Array(block.heads).keys()].map((i) => [String(i), String(i), `head ${i}`, headColor(i)]);
    heads.push(["mean", "平均", "mean over heads"], ["max", "最大", "max over heads"]);
    if (block.rollout) heads.push(["rollout", "rollout", "attention rollout (Abnar & Zuidema 2020)"]);
    const layers = [...Array(block.layers).keys()].map((i) => [i, String(i), `layer ${i}`]);
    controls = {
      view: buttonGroup("view", "视图", VIEWS, st.view, (v) => change("view", v)),
      layer: buttonGroup("layer", "层", layers, st.layer, (v) => change("layer", v)),
      head: buttonGroup("head", "头", heads, st.head, (v) => change("head", v)),
    };
    const rows = [controls.view.node];
    if (meta.blocks.length > 1) {
      const blocks = meta.blocks.map((b) => [b.name, BLOCK_LABELS[b.name] || b.name, b.name]);
      controls.block = buttonGroup("block", "注意力", blocks, st.block, (v) => change("block", v));
      rows.push(controls.block.node);
    }
    if (meta.models.length > 1) {
      const opts = [["0", meta.models[0]], ["1", meta.models[1]], ["diff", `${meta.models[1]} − ${meta.models[0]}`]];
      controls.source = buttonGroup("source", "模型", opts, st.source, (v) => change("source", v));
      rows.push(controls.source.node);
    }
    rows.push(controls.layer.node, controls.head.node);
    const sink = checkbox("隐藏首个 token（sink）", st.hide_sink, (v) => change("hide_sink", v));
    const checks = [sink.node];
    if (block.causal) {
      checks.push(checkbox("因果遮罩阴影", st.causal_shading, (v) => change("causal_shading", v)).node);
    }
    rows.push(h("div", { class: "lmb-group" }, checks));
    toolbar.replaceChildren(...rows);
  }

  function draw() {
    const block = meta.blocks.find((b) => b.name === st.block);
    view.block = block;
    view.qTok = meta.sequences[block.queries];
    view.kTok = meta.sequences[block.keys];
    view.fg = getComputedStyle(root).color;
    for (const k of ["view", "layer", "head", "source", "block"]) controls[k]?.set(st[k]);
    const k0 = st.hide_sink && view.kTok.length > 1 ? 1 : 0;
    root.dataset.view = st.view;
    if (st.view === "grid") drawGrid(view, k0);
    else {
      const m = current(store, block, st);
      if (st.view === "heatmap") drawHeatmap(view, m, k0);
      else drawLines(view, m, k0);
    }
    const what = st.head === "rollout" ? "rollout" : /^\d+$/.test(st.head) ? `头 ${st.head}` : `头${st.head === "mean" ? "平均" : "最大"}`;
    status.textContent =
      `${BLOCK_LABELS[block.name] || block.name} · 层 ${st.layer} · ${what} · ` +
      `${view.qTok.length}×${view.kTok.length} tokens · 悬停看原始分词片段，点击锁定`;
  }

  const schedule = frameScheduler(root, draw);

  canvas.addEventListener("mousemove", (e) => {
    const hit = canvasHit(canvas, view.hit, e);
    if (hit && hit.text) tip.show(hit.text, e.clientX, e.clientY);
    else tip.hide();
    const hover = hit && !hit.grid ? { side: hit.side, index: hit.index } : null;
    const same = JSON.stringify(hover) === JSON.stringify(view.hover);
    view.hover = hover;
    if (!same && !view.locked) schedule();
  });
  canvas.addEventListener("mouseleave", () => {
    tip.hide();
    view.hover = null;
    if (!view.locked) schedule();
  });
  canvas.addEventListener("click", (e) => {
    const hit = canvasHit(canvas, view.hit, e);
    if (hit && hit.grid) {
      st.layer = hit.layer;
      st.head = String(hit.head);
      setTrait(model, "layer", hit.layer);
      setTrait(model, "head", String(hit.head));
      change("view", "heatmap");
      return;
    }
    const same = hit && view.locked && view.locked.side === hit.side && view.locked.index === hit.index;
    view.locked = hit && !same ? { side: hit.side, index: hit.index } : null;
    schedule();
  });
  for (const name of traits) {
    model.on(`change:${name}`, () => {
      st[name] = model.get(name);
      if (name === "block") buildToolbar();
      schedule();
    });
  }
  buildToolbar();
  timed(root, draw);
  root.dataset.ready = "1";
}

export default { render };
