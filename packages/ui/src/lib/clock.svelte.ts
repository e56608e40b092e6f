/** The current time, ticking every second: relative times ("17 s ago") read it and re-render. */
export const clock = $state({ now: Date.now() });

if (typeof window !== 'undefined') {
  setInterval(() => {
    clock.now = Date.now();
  }, 1_000);
}
