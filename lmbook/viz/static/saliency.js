// lmbook.viz saliency widget: each token coloured by its attribution (red raises the explained
// score, blue lowers it); hover shows the raw tokenizer pieces and the value.

async function render({ model, el }) {
  const root = h("div", { class: "lmb-widget lmb-saliency" });
  el.appendChild(root);
  const meta = model.get("meta");
  const st = { method: model.get("method") };
  const methods = Object.keys(meta.scores).map((k) => [k, meta.labels[k], k]);
  const group = buttonGroup("method", "方法", methods, st.method, (v) => {
    st.method = v;
    setTrait(model, "method", v);
    timed(root, draw);
  });
  const tokens = h("div", { class: "lmb-tokens" });
  const status = h("div", { class: "lmb-status" });
  root.append(h("div", { class: "lmb-toolbar" }, [group.node]), tokens, status);
  const tip = makeTooltip(root);

  function draw() {
    const scores = meta.scores[st.method];
    let peakAbs = 0;
    for (const s of scores) peakAbs = Math.max(peakAbs, Math.abs(s));
    peakAbs = peakAbs || 1;
    const spans = meta.tokens.map((tok, i) => {
      const s = scores[i];
      const c = lutColor(s / peakAbs, true);
      const light = 0.299 * c[0] + 0.587 * c[1] + 0.114 * c[2] > 140;
      const span = h("span", {
        class: "lmb-token",
        style: `background:${rgb(c)};color:${light ? "#111" : "#fff"}`,
        text: tokenLabel(tok, 24),
      });
      span.dataset.score = String(s);
      span.addEventListener("mousemove", (e) => tip.show(`${tokenDetail(tok)}\n${fmt(s)}`, e.clientX, e.clientY));
      span.addEventListener("mouseleave", () => tip.hide());
      return span;
    });
    tokens.replaceChildren(...spans);
    group.set(st.method);
    const parts = meta.target ? [`解释对象：${meta.target}`] : [];
    if (meta.value !== null) parts.push(`log p = ${fmt(meta.value)}`);
    if (st.method === "integrated_gradients" && meta.delta !== null) parts.push(`完备性误差 ${fmt(meta.delta)}`);
    parts.push("红色抬高、蓝色降低该分数");
    status.textContent = parts.join(" · ");
  }

  model.on("change:method", () => {
    st.method = model.get("method");
    timed(root, draw);
  });
  timed(root, draw);
  root.dataset.ready = "1";
}

export default { render };
