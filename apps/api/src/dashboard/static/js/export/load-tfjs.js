/** TensorFlow.js for the browser, served by this server (no CDN: the page's policy allows scripts from 'self' only). */
let loading;
export function loadTfjs() {
  loading ??= new Promise((resolve, reject) => {
    if (window.tf) return resolve(window.tf);
    const script = document.createElement('script');
    script.src = 'vendor/tf.min.js';
    script.onload = () => (window.tf ? resolve(window.tf) : reject(new Error('TensorFlow.js did not load')));
    script.onerror = () => {
      loading = undefined;
      reject(new Error('TensorFlow.js could not be loaded'));
    };
    document.head.append(script);
  });
  return loading;
}
