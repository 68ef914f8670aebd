import type { Page } from 'playwright-core';

export interface A11yProblem {
  rule: string;
  element: string;
  detail: string;
}

/**
 * Checks the page as rendered in the browser: every visible form control and button has an accessible name (label,
 * aria-label, aria-labelledby, or text), every image has alt text, and visible text reaches WCAG AA contrast against
 * its effective background (4.5:1; 3:1 for large text). Disabled controls are exempt, as WCAG exempts them.
 */
export async function a11yProblems(page: Page): Promise<A11yProblem[]> {
  return page.evaluate(() => {
    const problems: Array<{ rule: string; element: string; detail: string }> = [];
    const describe = (el: Element) => `${el.tagName.toLowerCase()}${el.id ? `#${el.id}` : ''}${el.className && typeof el.className === 'string' ? `.${el.className.split(' ').join('.')}` : ''}`;
    const visible = (el: Element) => {
      const r = (el as HTMLElement).getBoundingClientRect();
      const st = getComputedStyle(el);
      return r.width > 0 && r.height > 0 && st.visibility !== 'hidden' && st.display !== 'none';
    };
    const name = (el: Element): string => {
      const labelled = el.getAttribute('aria-labelledby');
      if (labelled) return labelled.split(' ').map((id) => document.getElementById(id)?.textContent ?? '').join(' ').trim();
      const aria = el.getAttribute('aria-label');
      if (aria) return aria.trim();
      if ((el as HTMLInputElement).labels?.length) return [...(el as HTMLInputElement).labels!].map((l) => l.textContent ?? '').join(' ').trim();
      if (el.tagName === 'IMG') return (el as HTMLImageElement).alt;
      return (el.textContent ?? '').trim() || el.getAttribute('title') || '';
    };
    for (const el of document.querySelectorAll('input:not([type=hidden]), select, textarea, button, a[href], [role=button], img')) {
      if (!visible(el)) continue;
      if (el.tagName === 'IMG') {
        if (!el.hasAttribute('alt')) problems.push({ rule: 'image-alt', element: describe(el), detail: 'no alt attribute' });
        continue;
      }
      if (!name(el)) problems.push({ rule: 'accessible-name', element: describe(el), detail: 'no label, aria-label or text' });
    }

    const rgba = (c: string) => {
      const m = c.match(/rgba?\(([^)]+)\)/);
      if (!m) return [0, 0, 0, 0];
      const p = m[1]!.split(/[ ,/]+/).filter(Boolean).map(Number);
      return [p[0]!, p[1]!, p[2]!, p[3] ?? 1];
    };
    const luminance = ([r, g, b]: number[]) => {
      const f = (v: number) => ((v /= 255) <= 0.03928 ? v / 12.92 : ((v + 0.055) / 1.055) ** 2.4);
      return 0.2126 * f(r!) + 0.7152 * f(g!) + 0.0722 * f(b!);
    };
    /** The background behind an element: its own and its ancestors' colours composited (opacity included). */
    const background = (el: Element | null): number[] => {
      const layers: number[][] = [];
      for (let e = el; e; e = e.parentElement) {
        const c = rgba(getComputedStyle(e).backgroundColor);
        if (c[3]! > 0) layers.push(c);
        if (c[3] === 1) break;
      }
      let out = [255, 255, 255];
      for (const [r, g, b, a] of layers.reverse()) out = [r! * a! + out[0]! * (1 - a!), g! * a! + out[1]! * (1 - a!), b! * a! + out[2]! * (1 - a!)];
      return out;
    };
    const walker = document.createTreeWalker(document.body, NodeFilter.SHOW_TEXT);
    const seen = new Set<Element>();
    for (let n = walker.nextNode(); n; n = walker.nextNode()) {
      const el = n.parentElement;
      if (!el || seen.has(el) || !(n.textContent ?? '').trim() || el.closest('svg, [hidden], option, script, style')) continue;
      seen.add(el);
      if (!visible(el) || (el as HTMLButtonElement).disabled || el.closest(':disabled')) continue;
      const st = getComputedStyle(el);
      const fg = rgba(st.color);
      const bg = background(el);
      const fgc = [0, 1, 2].map((i) => fg[i]! * fg[3]! + bg[i]! * (1 - fg[3]!));
      const [l1, l2] = [luminance(fgc), luminance(bg)].sort((a, b) => b - a);
      const ratio = (l1! + 0.05) / (l2! + 0.05);
      const size = parseFloat(st.fontSize);
      const large = size >= 24 || (size >= 18.66 && Number(st.fontWeight) >= 700);
      if (ratio < (large ? 3 : 4.5)) problems.push({ rule: 'contrast', element: describe(el), detail: `${ratio.toFixed(2)}:1 for "${(n.textContent ?? '').trim().slice(0, 40)}"` });
    }
    return problems;
  });
}

/**
 * Presses Tab through the page and returns the visible, enabled controls it never reached: what a keyboard user
 * cannot get to.
 */
export async function unreachableByKeyboard(page: Page, within = 'body', maxTabs = 200): Promise<string[]> {
  await page.evaluate(() => (document.activeElement as HTMLElement | null)?.blur());
  await page.evaluate(() => window.scrollTo(0, 0));
  const reached = new Set<string>();
  await page.evaluate(() => {
    let i = 0;
    for (const el of document.querySelectorAll('a[href], button, input, select, textarea, [tabindex]')) (el as HTMLElement).dataset.kbId = String(i++);
  });
  for (let i = 0; i < maxTabs; i++) {
    await page.keyboard.press('Tab');
    const id = await page.evaluate(() => (document.activeElement as HTMLElement | null)?.dataset.kbId);
    if (id) reached.add(id);
  }
  return page.evaluate(
    ({ sel, ids }) => {
      const missing: string[] = [];
      for (const el of document.querySelector(sel)!.querySelectorAll<HTMLElement>('a[href], button, input, select, textarea, [tabindex="0"]')) {
        const r = el.getBoundingClientRect();
        const hidden = r.width === 0 || r.height === 0 || getComputedStyle(el).visibility === 'hidden';
        if (hidden || (el as HTMLButtonElement).disabled || el.tabIndex < 0) continue;
        if (!ids.includes(el.dataset.kbId!)) missing.push(`${el.tagName.toLowerCase()}${el.id ? `#${el.id}` : ''} "${(el.textContent || el.getAttribute('aria-label') || '').trim().slice(0, 30)}"`);
      }
      return missing;
    },
    { sel: within, ids: [...reached] },
  );
}

/**
 * What sticks out past the viewport's right edge (a phone would have to scroll sideways): the outermost such
 * elements, named, with how far they stick out. Empty when the page fits.
 */
export async function horizontalOverflow(page: Page): Promise<string[]> {
  return page.evaluate(() => {
    if (document.documentElement.scrollWidth <= window.innerWidth) return [];
    const out: string[] = [];
    for (const el of document.body.querySelectorAll<HTMLElement>('*')) {
      const r = el.getBoundingClientRect();
      if (r.right <= window.innerWidth + 0.5 || r.width === 0) continue;
      // Only the outermost offender of each branch, and nothing inside a scrolling box (that scrolls on its own).
      if (el.parentElement && el.parentElement.getBoundingClientRect().right > window.innerWidth + 0.5) continue;
      if (el.closest('.table-wrap, .upload-rows')) continue;
      out.push(`${el.tagName.toLowerCase()}${el.id ? `#${el.id}` : ''}${typeof el.className === 'string' && el.className ? `.${el.className.trim().split(/\s+/).join('.')}` : ''} +${Math.round(r.right - window.innerWidth)}px`);
    }
    return out.length ? out : [`page scrollWidth ${document.documentElement.scrollWidth} > ${window.innerWidth}`];
  });
}
