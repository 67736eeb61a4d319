import { ink } from './draw.js';

/** Canvases laid side by side in the exported picture, wrapping at this width (backing-store pixels). */
const MAX_ROW = 2400;
const GAP = 16;
const TITLE = 34;
/** Height of a caption line under a canvas, and of a row of legend entries (CSS px, times the scale). */
const LINE = 20;

/** A canvas's caption in the picture: the text of its figure's figcaption, when it has one. */
const captionOf = (c: HTMLCanvasElement) =>
  c.closest('figure')?.querySelector('figcaption')?.textContent?.trim() ?? '';

/** The entries of the panel's shown legends (a coloured swatch `<i>` and a label each). */
function legendEntries(panel: HTMLElement): { colour: string; label: string }[] {
  return [...panel.querySelectorAll<HTMLElement>('.legend')]
    .filter((l) => l.getClientRects().length > 0)
    .flatMap((l) =>
      [...l.children].flatMap((item) => {
        const swatch = item.querySelector('i');
        return swatch
          ? [{ colour: getComputedStyle(swatch).backgroundColor, label: item.textContent ?? '' }]
          : [];
      }),
    );
}

/** The canvases of a panel that are shown now (thumbnails and tooltips left out). */
function shownCanvases(panel: HTMLElement): HTMLCanvasElement[] {
  return [...panel.querySelectorAll('canvas')].filter(
    (c) => c.getClientRects().length > 0 && c.width > 0 && c.height > 0 && !c.closest('.tooltip, .thumb'),
  );
}

/**
 * One picture of the panel: its title, then its canvases at their full resolution (HiDPI included),
 * left to right in rows, each with its caption under it, then the entries of the panel's legends (a
 * colour swatch and a label each), on the page's background.
 */
export function panelPicture(panel: HTMLElement): HTMLCanvasElement | null {
  const canvases = shownCanvases(panel);
  if (canvases.length === 0) return null;
  const rows: HTMLCanvasElement[][] = [[]];
  let width = 0;
  for (const c of canvases) {
    const row = rows.at(-1)!;
    if (row.length > 0 && width + GAP + c.width > MAX_ROW) {
      rows.push([c]);
      width = c.width;
    } else {
      width += (row.length > 0 ? GAP : 0) + c.width;
      row.push(c);
    }
  }
  const rowWidth = (row: HTMLCanvasElement[]) =>
    row.reduce((s, c) => s + c.width, 0) + GAP * (row.length - 1);
  const line = LINE * Math.max(1, devicePixelRatio);
  const captioned = (row: HTMLCanvasElement[]) => row.some((c) => captionOf(c) !== '');
  const rowHeight = (row: HTMLCanvasElement[]) =>
    Math.max(...row.map((c) => c.height)) + (captioned(row) ? line : 0);
  const legend = legendEntries(panel);
  const out = document.createElement('canvas');
  out.width = Math.max(...rows.map(rowWidth)) + 2 * GAP;
  const perLegendRow = Math.max(1, Math.floor((out.width - GAP) / (8 * line)));
  const legendRows = Math.ceil(legend.length / perLegendRow);
  out.height = TITLE + rows.reduce((s, row) => s + rowHeight(row) + GAP, 0) + legendRows * line + GAP;
  const ctx = out.getContext('2d')!;
  const colours = ink();
  ctx.fillStyle = getComputedStyle(panel).backgroundColor || colours.plot;
  ctx.fillRect(0, 0, out.width, out.height);
  ctx.fillStyle = colours.text;
  ctx.font = '600 16px system-ui, sans-serif';
  ctx.textBaseline = 'middle';
  ctx.fillText(panel.dataset.title ?? '', GAP, TITLE / 2 + 4);
  let y = TITLE;
  ctx.font = `${Math.round(0.65 * line)}px system-ui, sans-serif`;
  for (const row of rows) {
    let x = GAP;
    for (const c of row) {
      ctx.drawImage(c, x, y);
      ctx.fillText(captionOf(c), x, y + c.height + line / 2, c.width);
      x += c.width + GAP;
    }
    y += rowHeight(row) + GAP;
  }
  legend.forEach(({ colour, label }, i) => {
    const x = GAP + (i % perLegendRow) * 8 * line;
    const top = y + Math.floor(i / perLegendRow) * line;
    ctx.fillStyle = colour;
    ctx.fillRect(x, top + line * 0.25, line * 0.5, line * 0.5);
    ctx.fillStyle = colours.text;
    ctx.fillText(label, x + line * 0.75, top + line / 2, 7 * line);
  });
  return out;
}

/** Saves a canvas as a PNG file through the browser's download. */
function download(canvas: HTMLCanvasElement, name: string): void {
  canvas.toBlob((blob) => {
    if (!blob) return;
    const a = document.createElement('a');
    a.href = URL.createObjectURL(blob);
    a.download = name;
    a.click();
    setTimeout(() => URL.revokeObjectURL(a.href), 10_000);
  }, 'image/png');
}

/**
 * A "PNG" button in the title of every panel of the page; it saves what the panel shows as
 * `vaekit-<panel>-<checkpoint>.png`.
 */
export function addPngButtons(checkpoint: () => string): void {
  for (const panel of document.querySelectorAll<HTMLElement>('main > section.panel')) {
    const title = panel.querySelector('h2');
    if (!title) continue;
    const button = document.createElement('button');
    button.type = 'button';
    button.className = 'png';
    button.textContent = 'PNG';
    const what = title.textContent ?? panel.id;
    panel.dataset.title = what;
    button.title = `save "${what}" as a PNG picture`;
    button.setAttribute('aria-label', `save the ${what} panel as PNG`);
    button.addEventListener('click', () => {
      const picture = panelPicture(panel);
      if (picture) download(picture, `vaekit-${panel.id.replace(/-panel$/, '')}-${checkpoint()}.png`);
    });
    title.append(button);
  }
}

/** Shows the PNG button only on panels that draw something now (not on one that shows only why it cannot). */
export function refreshPngButtons(): void {
  for (const panel of document.querySelectorAll<HTMLElement>('main > section.panel')) {
    const button = panel.querySelector<HTMLButtonElement>('h2 button.png');
    if (button) button.hidden = shownCanvases(panel).length === 0;
  }
}
