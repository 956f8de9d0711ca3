/**
 * What the uPlot charts read from the page's theme: colours from its CSS variables,
 * and the colour scheme, so a chart is re-created (with new colours) when it changes.
 */
import { useEffect, useState } from 'react';

/** A CSS variable of the theme (e.g. '--accent'), or the fallback where it is unset. */
export const cssVar = (name: string, fallback: string): string => getComputedStyle(document.documentElement).getPropertyValue(name).trim() || fallback;

/** The reader's colour scheme, followed live. */
export function useColorScheme(): 'light' | 'dark' {
  const query = '(prefers-color-scheme: dark)';
  const [scheme, setScheme] = useState<'light' | 'dark'>(() => (window.matchMedia(query).matches ? 'dark' : 'light'));
  useEffect(() => {
    const mq = window.matchMedia(query);
    const on = () => setScheme(mq.matches ? 'dark' : 'light');
    mq.addEventListener('change', on);
    return () => mq.removeEventListener('change', on);
  }, []);
  return scheme;
}
