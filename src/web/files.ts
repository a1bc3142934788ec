/** Files out of the page: bytes offered as a download. */

/** Offers bytes as a download named name. */
export function saveBytes(bytes: ArrayBuffer | string, name: string, type = 'application/octet-stream'): void {
  const url = URL.createObjectURL(new Blob([bytes], { type }));
  const a = Object.assign(document.createElement('a'), { href: url, download: name });
  document.body.append(a);
  a.click();
  a.remove();
  setTimeout(() => URL.revokeObjectURL(url), 10_000);
}
