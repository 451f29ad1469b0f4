/**
 * Looks for secrets in collected output: every named haystack (a process's stdout, a file,
 * an HTTP answer) against every named secret, in the encodings a leak would take.
 */
export interface Haystack {
  where: string;
  bytes: Buffer;
}

export interface Secret {
  what: string;
  value: string;
}

export interface Hit {
  where: string;
  what: string;
}

/** A key as a program would print it: hex (either case), base64, base64url. */
export function keyForms(what: string, key: Buffer): Secret[] {
  return [
    { what: `${what} (hex)`, value: key.toString('hex') },
    { what: `${what} (HEX)`, value: key.toString('hex').toUpperCase() },
    { what: `${what} (base64)`, value: key.toString('base64') },
    { what: `${what} (base64url)`, value: key.toString('base64url') },
  ];
}

/** UTF-8 and UTF-16LE (what a Windows tool or a heap dump would hold). */
function needles(value: string): Buffer[] {
  return [Buffer.from(value, 'utf8'), Buffer.from(value, 'utf16le')];
}

export function findSecrets(haystacks: readonly Haystack[], secrets: readonly Secret[]): Hit[] {
  for (const secret of secrets) {
    // A short "secret" would match by chance and prove nothing either way.
    if (secret.value.length < 12) throw new Error(`secret "${secret.what}" is too short to search for`);
  }
  const hits: Hit[] = [];
  for (const haystack of haystacks) {
    for (const secret of secrets) {
      if (needles(secret.value).some((needle) => haystack.bytes.includes(needle))) hits.push({ where: haystack.where, what: secret.what });
    }
  }
  return hits;
}
