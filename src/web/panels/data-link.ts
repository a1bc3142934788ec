/**
 * ?data=<relative URL>: a text file served beside the page (same origin), so
 * that a teacher can put names.txt next to the page and share a link.
 */
import { sizeProblem } from '../../core/text-file.ts';

export type LinkedData = { name: string; body: Blob } | { error: string };

/**
 * The file ?data= names, as a Blob for the training worker to read and check
 * (text-reader.ts: a large file is never decoded on the page); undefined when
 * the address has no ?data=.
 */
export async function loadLinkedData(pageUrl: string, fetcher: typeof fetch = fetch): Promise<LinkedData | undefined> {
  const page = new URL(pageUrl);
  const name = page.searchParams.get('data');
  if (name === null || name === '') return undefined;
  let url: URL;
  try {
    url = new URL(name, page);
  } catch {
    return { error: `?data=${name} is not an address` };
  }
  if (url.origin !== page.origin) return { error: `?data= loads only files beside this page (same site), not ${url.href}` };
  let response: Response;
  try {
    response = await fetcher(url.href);
  } catch (e) {
    return { error: `could not load ${name}: ${(e as Error).message}` };
  }
  if (!response.ok)
    return { error: `could not load ${name}: the server answered ${response.status}${response.status === 404 ? ' (not found)' : ''}` };
  const type = response.headers.get('content-type') ?? '';
  if (/^(text\/html|image\/|audio\/|video\/|application\/(pdf|zip|json|javascript))/i.test(type))
    return { error: `${name} is not a text file (the server sent ${type.split(';')[0]})` };
  const tooBig = sizeProblem(Number(response.headers.get('content-length') ?? 0));
  if (tooBig) {
    await response.body?.cancel();
    return { error: `data file ${name} ${tooBig}` };
  }
  return { name, body: await response.blob() };
}
