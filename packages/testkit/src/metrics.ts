/**
 * The sum of one metric's samples on one or more Prometheus `/metrics` pages (`adminUrls` without
 * the path), every label value, or only the samples whose labels contain `label` (`side="primary"`).
 */
export async function metricSum(adminUrls: string | readonly string[], name: string, label?: string): Promise<number> {
  let sum = 0;
  for (const url of typeof adminUrls === 'string' ? [adminUrls] : adminUrls) {
    const res = await fetch(`${url}/metrics`);
    if (!res.ok) throw new Error(`${url}/metrics answered ${res.status}`);
    for (const line of (await res.text()).split('\n')) {
      if (!(line.startsWith(`${name}{`) || line.startsWith(`${name} `))) continue;
      if (label && !line.slice(name.length, line.lastIndexOf(' ')).includes(label)) continue;
      sum += Number(line.slice(line.lastIndexOf(' ') + 1));
    }
  }
  return sum;
}
