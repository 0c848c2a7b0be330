// lmbook.viz gradient-flow widget: rows (layer groups) x training steps on a log colour scale,
// clipping events above the steps, and bars for every row at the step picked with the slider.

const KIND_COLORS = {
  embedding: "#8c564b",
  attention: "#1f77b4",
  mlp: "#2ca02c",
  lora_A: "#d62728",
  lora_B: "#ff7f0e",
  norm: "#7f7f7f",
  head: "#9467bd",
  other: "#17becf",
};
const METRIC_LABELS = { grad_norm: "梯度范数", update_ratio: "更新/权重比" };

function logRange(values) {
  let lo = Infinity;
  let hi = -Infinity;
  for (const v of values) {
    if (v > 0 && Number.isFinite(v)) {
      const l = Math.log10(v);
      lo = Math.min(lo, l);
      hi = Math.max(hi, l);
    }
  }
  if (!Number.isFinite(lo)) return [0, 1];
  return hi - lo < 1e-6 ? [lo - 0.5, hi + 0.5] : [lo, hi];
}

async function render({ model, el }) {
  const root = h("div", { class: "lmb-widget lmb-grad" });
  el.appendChild(root);
  const meta = model.get("meta");
  const bytes = toBytes(model.get("payload"));
  const R = meta.names.length;
  const S = meta.steps.length;
  const data = { grad_norm: float32At(bytes, 0, R * S) };
  if (meta.ratios) data.update_ratio = float32At(bytes, 4 * R * S, R * S);
  const st = { metric: model.get("metric"), step: model.get("step") };

  const toolbar = h("div", { class: "lmb-toolbar" });
  const canvas = h("canvas", { class: "lmb-canvas" });
  const status = h("div", { class: "lmb-status" });
  root.append(toolbar, h("div", { class: "lmb-canvas-wrap" }, [canvas]), status);
  const tip = makeTooltip(root);

  const set = (name, value) => {
    st[name] = value;
    setTrait(model, name, value);
    schedule();
  };
  const rows = [];
  if (meta.title) rows.push(h("div", { class: "lmb-group", text: meta.title }));
  const metrics = [["grad_norm", "梯度范数", "gradient norm before clipping"]];
  if (meta.ratios) metrics.push(["update_ratio", "更新/权重比", "||ΔW|| / ||W|| per step"]);
  const metricGroup = buttonGroup("metric", "指标", metrics, st.metric, (v) => set("metric", v));
  rows.push(metricGroup.node);
  const slider = h("input", { type: "range", min: "0", max: String(S - 1), step: "1" });
  slider.value = String(st.step);
  slider.addEventListener("input", () => set("step", Number(slider.value)));
  const stepLabel = h("span");
  rows.push(h("div", { class: "lmb-slider" }, [h("span", { class: "lmb-label", text: "步" }), slider, stepLabel]));
  const legend = Object.entries(KIND_COLORS)
    .filter(([k]) => meta.kinds.includes(k))
    .map(([k, c]) => h("span", { class: "lmb-check" }, [h("span", { class: "lmb-swatch", style: `background:${c}` }), document.createTextNode(k)]));
  rows.push(h("div", { class: "lmb-group" }, legend));
  toolbar.replaceChildren(...rows);

  let hit = null;
  function draw() {
    const values = data[st.metric];
    const [lo, hi] = logRange(values);
    const fg = getComputedStyle(root).color;
    const probe = canvas.getContext("2d");
    probe.font = `12px ${CJK_FONT}`;
    let labelW = 0;
    for (const n of meta.names) labelW = Math.max(labelW, probe.measureText(n).width);
    labelW = Math.min(200, Math.ceil(labelW) + 16);
    const cw = Math.max(1, Math.min(14, Math.floor(560 / S)));
    const rowH = 16;
    const top = 14;
    const barW = 170;
    const mapW = S * cw;
    const ctx = sizeCanvas(canvas, labelW + mapW + 12 + barW, top + R * rowH + 18);
    const img = new ImageData(mapW, R);
    for (let r = 0; r < R; r++) {
      for (let s = 0; s < S; s++) {
        const v = values[r * S + s];
        const c = v > 0 ? lutColor((Math.log10(v) - lo) / (hi - lo)) : [128, 128, 128];
        for (let x = 0; x < cw; x++) setPixel(img.data, 4 * (r * mapW + s * cw + x), c);
      }
    }
    ctx.imageSmoothingEnabled = false;
    ctx.drawImage(imageCanvas(img), labelW, top, mapW, R * rowH);
    // clipping events
    ctx.fillStyle = "rgb(214,39,40)";
    meta.clipped.forEach((c, s) => {
      if (!c) return;
      const x = labelW + (s + 0.5) * cw;
      ctx.beginPath();
      ctx.moveTo(x - 3, 2);
      ctx.lineTo(x + 3, 2);
      ctx.lineTo(x, top - 3);
      ctx.fill();
    });
    // chosen step
    ctx.strokeStyle = fg;
    ctx.lineWidth = 1.5;
    ctx.strokeRect(labelW + st.step * cw, top, cw, R * rowH);
    // row labels, coloured by kind
    ctx.font = `12px ${CJK_FONT}`;
    ctx.textBaseline = "middle";
    ctx.textAlign = "right";
    meta.names.forEach((n, r) => {
      ctx.fillStyle = KIND_COLORS[meta.kinds[r]] || fg;
      ctx.fillRect(labelW - 10, top + r * rowH + 4, 6, rowH - 8);
      ctx.fillStyle = fg;
      let shown = n;
      while (shown.length > 4 && ctx.measureText(shown).width > labelW - 16) shown = shown.slice(1);
      ctx.fillText(shown === n ? n : "…" + shown.slice(1), labelW - 14, top + (r + 0.5) * rowH);
    });
    // bars at the chosen step (same log scale)
    const x0 = labelW + mapW + 12;
    meta.names.forEach((_, r) => {
      const v = values[r * S + st.step];
      if (!(v > 0)) return;
      const frac = (Math.log10(v) - lo) / (hi - lo);
      ctx.fillStyle = KIND_COLORS[meta.kinds[r]] || fg;
      ctx.fillRect(x0, top + r * rowH + 3, Math.max(1, frac * (barW - 8)), rowH - 6);
    });
    ctx.fillStyle = fg;
    ctx.textAlign = "left";
    ctx.fillText(`10^${lo.toFixed(1)} … 10^${hi.toFixed(1)}`, x0, top + R * rowH + 9);
    ctx.fillText(`step ${meta.steps[0]}`, labelW, top + R * rowH + 9);
    ctx.textAlign = "right";
    ctx.fillText(`${meta.steps[S - 1]}`, labelW + mapW, top + R * rowH + 9);
    hit = (x, y) => {
      const r = Math.floor((y - top) / rowH);
      const s = Math.floor((x - labelW) / cw);
      if (r < 0 || r >= R || s < 0 || s >= S) return null;
      return { r, s };
    };
    metricGroup.set(st.metric);
    slider.value = String(st.step);
    stepLabel.textContent = `第 ${meta.steps[st.step]} 步${meta.clipped[st.step] ? " · 已裁剪" : ""}`;
    status.textContent = `${METRIC_LABELS[st.metric]}（对数色阶）· ${R} 组 × ${S} 步 · ▼ 梯度裁剪 ${meta.clipped.filter(Boolean).length} 次 · 点击选步`;
  }

  const schedule = frameScheduler(root, draw);
  canvas.addEventListener("mousemove", (e) => {
    const at = canvasHit(canvas, hit, e);
    if (!at) return tip.hide();
    const v = data[st.metric][at.r * S + at.s];
    tip.show(`${meta.names[at.r]} (${meta.kinds[at.r]})\nstep ${meta.steps[at.s]}: ${fmt(v)}`, e.clientX, e.clientY);
  });
  canvas.addEventListener("mouseleave", () => tip.hide());
  canvas.addEventListener("click", (e) => {
    const at = canvasHit(canvas, hit, e);
    if (at) set("step", at.s);
  });
  for (const name of ["metric", "step"]) {
    model.on(`change:${name}`, () => {
      st[name] = model.get(name);
      schedule();
    });
  }
  timed(root, draw);
  root.dataset.ready = "1";
}

export default { render };
