/**
 * Makes attachment names unique within one message, keeping the extension: the second
 * `IMG_0042.jpg` becomes `IMG_0042 (2).jpg`. The import stage relies on unique names to tell,
 * after an interrupted attempt, which attachments a message already has.
 */
export function uniqueAttachmentNames(names: readonly string[]): string[] {
  const taken = new Set<string>();
  const result: string[] = [];
  for (const name of names) {
    let candidate = name;
    for (let n = 2; taken.has(candidate.toLowerCase()); n++) candidate = numbered(name, n);
    taken.add(candidate.toLowerCase());
    result.push(candidate);
  }
  return result;
}

function numbered(name: string, n: number): string {
  const dot = name.lastIndexOf('.');
  return dot > 0 ? `${name.slice(0, dot)} (${n})${name.slice(dot)}` : `${name} (${n})`;
}
