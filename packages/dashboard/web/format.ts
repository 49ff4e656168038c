export const percent = (rate: number | null | undefined, digits = 1): string =>
  rate === null || rate === undefined || Number.isNaN(rate) ? '–' : `${(rate * 100).toFixed(digits)}%`;

export const ms = (value: number | null | undefined): string =>
  value === null || value === undefined ? '–' : value < 10 ? `${value.toFixed(2)} ms` : `${value.toFixed(0)} ms`;

export const ratio = (value: number | null | undefined): string => (value === null || value === undefined ? '–' : `${value.toFixed(2)}×`);

export const count = (value: number | null | undefined): string => (value === null || value === undefined ? '–' : value.toLocaleString('en'));

export const when = (iso: string | null | undefined): string => (iso ? new Date(iso).toLocaleString() : '–');
