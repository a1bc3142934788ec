/** A small made-up prose text for --documents stream tests: lines of words, capitals, commas and full stops, deterministic. */
const WORDS = ['the', 'sea', 'whale', 'ship', 'and', 'a', 'of', 'grey', 'wind', 'over', 'calm', 'deck', 'to', 'sail', 'he', 'said'];

export function prose(lines = 60): string {
  let x = 12345;
  const next = (n: number) => {
    x = (Math.imul(x, 1103515245) + 12345) >>> 0;
    return (x >>> 16) % n;
  };
  const out: string[] = [];
  for (let l = 0; l < lines; l++) {
    const words = Array.from({ length: 5 + next(8) }, () => WORDS[next(WORDS.length)]);
    words[0] = words[0][0].toUpperCase() + words[0].slice(1);
    out.push(`${words.join(next(4) === 0 ? ', ' : ' ')}.`);
  }
  return out.join('\n') + '\n';
}
