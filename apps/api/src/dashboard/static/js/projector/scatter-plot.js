/**
 * A canvas scatter plot in 2-D or 3-D. 3-D points are rotated (drag to turn) and drawn back to front with a
 * perspective divide, so near points are larger. After every draw `canvas.screenPoints` holds each point's pixel
 * position, used for hover picking (and by tests to find a point to hover).
 */
export function createScatter(canvas, { colorOf, onHover }) {
  const ctx = canvas.getContext('2d');
  let coords = new Float64Array(0);
  let dims = 2;
  let n = 0;
  let yaw = 0.6;
  let pitch = 0.35;
  let hovered = -1;
  let highlight = null;

  const resize = () => {
    const ratio = window.devicePixelRatio || 1;
    const w = canvas.clientWidth || 600;
    const hgt = canvas.clientHeight || 420;
    canvas.width = Math.round(w * ratio);
    canvas.height = Math.round(hgt * ratio);
    ctx.setTransform(ratio, 0, 0, ratio, 0, 0);
  };

  /** Normalised coordinates in [-1, 1] per axis (centred, scaled by the largest spread) so any layout fits. */
  const normalised = () => {
    const out = new Float64Array(n * 3);
    let scale = 0;
    const mean = [0, 0, 0];
    for (let i = 0; i < n; i++) for (let t = 0; t < dims; t++) mean[t] += coords[i * dims + t] / n;
    for (let i = 0; i < n; i++) for (let t = 0; t < dims; t++) scale = Math.max(scale, Math.abs(coords[i * dims + t] - mean[t]));
    for (let i = 0; i < n; i++) for (let t = 0; t < dims; t++) out[i * 3 + t] = (coords[i * dims + t] - mean[t]) / (scale || 1);
    return out;
  };

  const draw = () => {
    const w = canvas.clientWidth || 600;
    const hgt = canvas.clientHeight || 420;
    ctx.clearRect(0, 0, w, hgt);
    const p = normalised();
    const half = Math.min(w, hgt) / 2 - 18;
    const screen = new Array(n);
    const cy = Math.cos(yaw);
    const sy = Math.sin(yaw);
    const cp = Math.cos(pitch);
    const sp = Math.sin(pitch);
    for (let i = 0; i < n; i++) {
      let x = p[i * 3];
      let y = p[i * 3 + 1];
      let z = p[i * 3 + 2];
      let size = 4;
      if (dims === 3) {
        const x1 = cy * x + sy * z;
        const z1 = -sy * x + cy * z;
        const y1 = cp * y - sp * z1;
        const z2 = sp * y + cp * z1;
        const f = 3 / (3 + z2);
        x = x1 * f;
        y = y1 * f;
        z = z2;
        size = 4 * f;
      }
      screen[i] = { i, x: w / 2 + x * half, y: hgt / 2 - y * half, z, size };
    }
    if (dims === 3) drawAxes(cy, sy, cp, sp, w, hgt, half);
    const order = dims === 3 ? [...screen].sort((a, b) => b.z - a.z) : screen;
    for (const s of order) {
      const dim = highlight && !highlight.has(s.i);
      ctx.globalAlpha = dim ? 0.15 : 0.85;
      ctx.fillStyle = colorOf(s.i);
      ctx.beginPath();
      ctx.arc(s.x, s.y, s.i === hovered ? s.size + 3 : s.size, 0, Math.PI * 2);
      ctx.fill();
      if (s.i === hovered) {
        ctx.globalAlpha = 1;
        ctx.strokeStyle = '#111';
        ctx.lineWidth = 1.5;
        ctx.stroke();
      }
    }
    ctx.globalAlpha = 1;
    canvas.screenPoints = screen.map((s) => ({ i: s.i, x: s.x, y: s.y }));
  };

  const drawAxes = (cy, sy, cp, sp, w, hgt, half) => {
    const axes = [[1, 0, 0], [0, 1, 0], [0, 0, 1]];
    ctx.lineWidth = 1;
    axes.forEach(([x, y, z], k) => {
      const x1 = cy * x + sy * z;
      const z1 = -sy * x + cy * z;
      const y1 = cp * y - sp * z1;
      ctx.strokeStyle = '#ccd';
      ctx.beginPath();
      ctx.moveTo(w / 2, hgt / 2);
      ctx.lineTo(w / 2 + x1 * half * 0.9, hgt / 2 - y1 * half * 0.9);
      ctx.stroke();
      ctx.fillStyle = '#99a';
      ctx.fillText(['1', '2', '3'][k], w / 2 + x1 * half * 0.93, hgt / 2 - y1 * half * 0.93);
    });
  };

  const pick = (mx, my) => {
    let best = -1;
    let bestD = 100; // within 10 px
    for (const s of canvas.screenPoints ?? []) {
      const dd = (s.x - mx) ** 2 + (s.y - my) ** 2;
      if (dd < bestD) {
        bestD = dd;
        best = s.i;
      }
    }
    return best;
  };

  let drag = null;
  canvas.addEventListener('pointerdown', (e) => {
    if (dims === 3) drag = { x: e.clientX, y: e.clientY, yaw, pitch };
  });
  window.addEventListener('pointerup', () => (drag = null));
  canvas.addEventListener('pointermove', (e) => {
    const r = canvas.getBoundingClientRect();
    if (drag) {
      yaw = drag.yaw + (e.clientX - drag.x) * 0.01;
      pitch = Math.max(-1.5, Math.min(1.5, drag.pitch + (e.clientY - drag.y) * 0.01));
      draw();
      return;
    }
    const i = pick(e.clientX - r.left, e.clientY - r.top);
    if (i !== hovered) {
      hovered = i;
      draw();
    }
    const s = i >= 0 ? canvas.screenPoints[i] : undefined;
    onHover(i, s ? { x: s.x, y: s.y } : undefined);
  });
  canvas.addEventListener('pointerleave', () => {
    hovered = -1;
    draw();
    onHover(-1);
  });
  new ResizeObserver(() => {
    resize();
    draw();
  }).observe(canvas);
  resize();

  return {
    set(newCoords, newDims) {
      // Points move: a tooltip left from the previous layout would point at the wrong place.
      if (hovered >= 0) {
        hovered = -1;
        onHover(-1);
      }
      coords = newCoords;
      dims = newDims;
      n = coords.length / dims;
      draw();
    },
    highlight(set) {
      highlight = set;
      draw();
    },
  };
}
