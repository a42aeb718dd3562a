// Numbers as the small screen shows them: prices that fit the space, change percentages, ages.
import { largeTextWidth } from './font-large.js';

function groupThousands(integer: string): string {
  return integer.replace(/\B(?=(\d{3})+(?!\d))/g, ',');
}

/** Price strings from the most to the least precise, for the layout to take the first that fits. */
export function priceCandidates(price: number): string[] {
  const decimals = price >= 1000 ? [2, 0] : price >= 1 ? [2, 0] : [6, 4, 2];
  const candidates = decimals.map((places) => {
    const [integer = '0', fraction] = price.toFixed(places).split('.');
    return fraction === undefined ? groupThousands(integer) : `${groupThousands(integer)}.${fraction}`;
  });
  // Without separators as the last resort (a price of millions on a narrow field).
  candidates.push(price.toFixed(0));
  return candidates;
}

/** The most precise price string whose large-digit width fits, or undefined when none does. */
export function fitLargePrice(price: number, maxWidth: number): string | undefined {
  return priceCandidates(price).find((text) => largeTextWidth(text) <= maxWidth);
}

/** "+1.23%", "-0.05%", "+12.3%"; two decimals below 10 %, one above. */
export function formatChange(percent: number): string {
  const places = Math.abs(percent) >= 10 ? 1 : 2;
  const text = Math.abs(percent).toFixed(places);
  const sign = Number(text) === 0 ? '' : percent > 0 ? '+' : '-';
  return `${sign}${text}%`;
}

/** "12S", "5M", "3H", "2D": the largest whole unit. */
export function formatAge(ms: number): string {
  const seconds = Math.max(0, Math.floor(ms / 1000));
  if (seconds < 60) return `${seconds}S`;
  if (seconds < 3600) return `${Math.floor(seconds / 60)}M`;
  if (seconds < 86_400) return `${Math.floor(seconds / 3600)}H`;
  return `${Math.floor(seconds / 86_400)}D`;
}
