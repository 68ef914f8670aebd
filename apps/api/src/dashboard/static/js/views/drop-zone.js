import { h } from '../dom.js';

/**
 * A drop target that is also a button: pointer users drop files or folders on it, keyboard users press Enter or
 * Space to open the file picker (`onActivate`). `onDrop` receives the DataTransfer.
 */
export function dropZone({ id, label, onActivate, onDrop, className = '' }) {
  const zone = h(`div.dropzone${className}`, { id, tabindex: 0, role: 'button' }, h('p', label));
  zone.addEventListener('click', onActivate);
  zone.addEventListener('keydown', (e) => {
    if (e.key !== 'Enter' && e.key !== ' ') return;
    e.preventDefault();
    onActivate();
  });
  attachDrop(zone, onDrop);
  return zone;
}

/** Makes any element accept drops (highlighted while something is dragged over it). */
export function attachDrop(el, onDrop) {
  el.addEventListener('dragover', (e) => {
    e.preventDefault();
    el.classList.add('over');
  });
  el.addEventListener('dragleave', () => el.classList.remove('over'));
  el.addEventListener('drop', (e) => {
    e.preventDefault();
    el.classList.remove('over');
    if (e.dataTransfer) void onDrop(e.dataTransfer);
  });
}
