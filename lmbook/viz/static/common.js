// lmbook.viz shared front-end helpers: bytes, colours, canvas, tokens, tooltips.
// Concatenated in front of each widget's own module by lmbook/viz/assets.py.

const CJK_FONT =
  '"Noto Sans CJK SC", "Source Han Sans SC", "Microsoft YaHei", "PingFang SC", sans-serif';

// A bytes traitlet arrives as a DataView (JupyterLab, html-manager), ArrayBuffer or Uint8Array.
function toBytes(value) {
  if (value instanceof Uint8Array) return value;
  if (value instanceof ArrayBuffer) return new Uint8Array(value);
  if (ArrayBuffer.isView(value)) {
    return new Uint8Array(value.buffer, value.byteOffset, value.byteLength);
  }
  throw new Error("lmbook.viz: the widget's binary payload is missing");
}

// Inflate a zlib (deflate) stream with the browser's built-in DecompressionStream.
async function inflate(bytes) {
  const stream = new Blob([bytes]).stream().pipeThrough(new DecompressionStream("deflate"));
  return new Uint8Array(await new Response(stream).arrayBuffer());
}

// Little-endian float32 array starting at a byte offset (copied when unaligned).
function float32At(bytes, byteOffset, count) {
  const start = bytes.byteOffset + byteOffset;
  if (start % 4 === 0) return new Float32Array(bytes.buffer, start, count);
  return new Float32Array(bytes.slice(byteOffset, byteOffset + 4 * count).buffer);
}

function h(tag, attrs = {}, children = []) {
  const node = document.createElement(tag);
  for (const [key, value] of Object.entries(attrs)) {
    if (key === "class") node.className = value;
    else if (key === "text") node.textContent = value;
    else if (key.startsWith("on")) node.addEventListener(key.slice(2), value);
    else node.setAttribute(key, value);
  }
  for (const child of children) node.appendChild(child);
  return node;
}

// A row of toggle buttons; returns {node, set(value)}. Each button carries data-<name>=value.
function buttonGroup(name, label, options, current, onPick) {
  const buttons = options.map(([value, text, title, color]) => {
    const attrs = { class: "lmb-btn", type: "button", title: title || text };
    attrs["data-" + name] = String(value);
    const b = h("button", attrs);
    if (color) b.appendChild(h("span", { class: "lmb-swatch", style: `background:${color}` }));
    b.appendChild(document.createTextNode(text));
    b.addEventListener("click", () => onPick(value));
    return b;
  });
  const node = h("div", { class: "lmb-group" }, [
    h("span", { class: "lmb-label", text: label }),
    ...buttons,
  ]);
  const set = (value) => {
    for (const b of buttons) b.classList.toggle("lmb-on", b.dataset[name] === String(value));
  };
  set(current);
  return { node, set };
}

function checkbox(label, checked, onChange) {
  const input = h("input", { type: "checkbox" });
  input.checked = checked;
  input.addEventListener("change", () => onChange(input.checked));
  return { node: h("label", { class: "lmb-check" }, [input, document.createTextNode(label)]), input };
}

// Canvas sized in CSS pixels, drawn at device resolution.
function sizeCanvas(canvas, width, height) {
  const ratio = window.devicePixelRatio || 1;
  canvas.width = Math.max(1, Math.round(width * ratio));
  canvas.height = Math.max(1, Math.round(height * ratio));
  canvas.style.width = width + "px";
  canvas.style.height = height + "px";
  const ctx = canvas.getContext("2d");
  ctx.setTransform(ratio, 0, 0, ratio, 0, 0);
  return ctx;
}

// Colour maps: viridis for magnitudes, red-blue for signed values (both fine on light and dark).
const VIRIDIS = [
  [68, 1, 84], [72, 40, 120], [62, 74, 137], [49, 104, 142], [38, 130, 142],
  [31, 158, 137], [53, 183, 121], [110, 206, 88], [181, 222, 43], [253, 231, 37],
];
const RDBU = [
  [5, 48, 97], [33, 102, 172], [67, 147, 195], [146, 197, 222], [209, 229, 240],
  [247, 247, 247], [253, 219, 199], [244, 165, 130], [214, 96, 77], [178, 24, 43], [103, 0, 31],
];

function interpolate(stops, t) {
  const x = Math.min(1, Math.max(0, t)) * (stops.length - 1);
  const i = Math.min(stops.length - 2, Math.floor(x));
  const f = x - i;
  const a = stops[i];
  const b = stops[i + 1];
  return [a[0] + (b[0] - a[0]) * f, a[1] + (b[1] - a[1]) * f, a[2] + (b[2] - a[2]) * f];
}

// 256-entry lookup tables: sequential for [0, 1], diverging for [-1, 1] mapped to [0, 255].
const LUT_SEQ = Array.from({ length: 256 }, (_, i) => interpolate(VIRIDIS, i / 255));
const LUT_DIV = Array.from({ length: 256 }, (_, i) => interpolate(RDBU, i / 255));

function rgb(c, alpha = 1) {
  return `rgba(${Math.round(c[0])},${Math.round(c[1])},${Math.round(c[2])},${alpha})`;
}

function headColor(i) {
  return `hsl(${(i * 137.508) % 360}, 65%, 50%)`;
}

// Token text for a label: visible whitespace, shortened.
function tokenLabel(tok, max = 12) {
  let t = tok.t.replace(/\n/g, "↵").replace(/\t/g, "⇥");
  if (t.trim() === "") t = t.length ? "␣".repeat(Math.min(t.length, 3)) : "∅";
  return t.length > max ? t.slice(0, max - 1) + "…" : t;
}

// Hover text for a token: the raw tokenizer pieces (what the model saw) and their ids.
function tokenDetail(tok) {
  const pieces = tok.p.map((p) => JSON.stringify(p)).join(" ");
  const ids = tok.i.length ? `  id ${tok.i.join(", ")}` : "";
  return `${JSON.stringify(tok.t)} ← ${pieces}${ids}`;
}

function makeTooltip(root) {
  const tip = h("div", { class: "lmb-tip" });
  root.appendChild(tip);
  return {
    show(text, x, y) {
      tip.textContent = text;
      tip.style.display = "block";
      const box = root.getBoundingClientRect();
      tip.style.left = Math.min(x - box.left + 12, box.width - 40) + "px";
      tip.style.top = y - box.top + 14 + "px";
    },
    hide() {
      tip.style.display = "none";
    },
  };
}

function fmt(x) {
  if (x === 0) return "0";
  const a = Math.abs(x);
  return a >= 0.01 && a < 1000 ? x.toFixed(3) : x.toExponential(2);
}

// Set a synced trait from the front end (in a static page save_changes has no kernel and is a no-op).
function setTrait(model, name, value) {
  model.set(name, value);
  model.save_changes();
}

// Time one redraw and expose it (and a draw counter) on the root element for tests and benchmarks.
function timed(root, draw) {
  const t0 = performance.now();
  draw();
  root.dataset.drawMs = (performance.now() - t0).toFixed(1);
  root.dataset.draws = String(Number(root.dataset.draws || 0) + 1);
}

// Redraw at most once per animation frame however many changes arrive; returns schedule().
function frameScheduler(root, draw) {
  let pending = false;
  return () => {
    if (pending) return;
    pending = true;
    requestAnimationFrame(() => {
      pending = false;
      timed(root, draw);
    });
  };
}

// What a mouse event points at: hit(x, y) in CSS pixels of the canvas, or null without hit.
function canvasHit(canvas, hit, e) {
  if (!hit) return null;
  const box = canvas.getBoundingClientRect();
  return hit(e.clientX - box.left, e.clientY - box.top);
}

// Colour of a normalised value: viridis over [0, 1], red-blue over [-1, 1] when signed.
function lutColor(v, signed = false) {
  return signed ? LUT_DIV[Math.round((v + 1) * 127.5)] : LUT_SEQ[Math.round(v * 255)];
}

// Write an opaque colour into ImageData pixels at byte offset p.
function setPixel(px, p, c) {
  px[p] = c[0];
  px[p + 1] = c[1];
  px[p + 2] = c[2];
  px[p + 3] = 255;
}

// An off-screen canvas holding an ImageData, to be drawn scaled up without smoothing.
function imageCanvas(img) {
  const off = document.createElement("canvas");
  off.width = img.width;
  off.height = img.height;
  off.getContext("2d").putImageData(img, 0, 0);
  return off;
}
