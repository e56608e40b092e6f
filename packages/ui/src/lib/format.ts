import { clock } from './clock.svelte';

export function formatDate(value: string | null | undefined): string {
  if (!value) return '—';
  const d = new Date(value);
  return d.toLocaleString(undefined, { dateStyle: 'medium', timeStyle: 'short' });
}

export function formatDuration(ms: number | null | undefined): string {
  if (ms === null || ms === undefined) return '—';
  if (ms < 1_000) return `${Math.round(ms)} ms`;
  const s = ms / 1_000;
  if (s < 60) return `${s.toFixed(1)} s`;
  const m = Math.floor(s / 60);
  return `${m} min ${Math.round(s % 60)} s`;
}

export function formatNumber(n: number | null | undefined): string {
  if (n === null || n === undefined) return '—';
  return n.toLocaleString('en-US');
}

/** "17 s ago", "in 5 min"; re-renders every second (it reads the ticking clock). */
export function relative(value: string | number | null | undefined): string {
  if (value === null || value === undefined || value === '') return 'never';
  const diff = clock.now - new Date(value).getTime();
  const future = diff < 0;
  const s = Math.abs(diff) / 1000;
  const text =
    s < 60
      ? `${Math.round(s)} s`
      : s < 3600
        ? `${Math.round(s / 60)} min`
        : s < 86400
          ? `${Math.round(s / 3600)} h`
          : `${Math.round(s / 86400)} d`;
  return future ? `in ${text}` : `${text} ago`;
}

/** A time of day, "14:03:27". */
export function timeOfDay(value: number | string | null | undefined): string {
  if (value === null || value === undefined) return '—';
  return new Date(value).toLocaleTimeString('en-GB', { hour12: false });
}
