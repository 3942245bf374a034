import type { Participant } from './archived-item';

/**
 * Keys under which a participant is known, one per identifier it carries: emails compare without
 * case, phone numbers by their digits (so `+13105550199` and `1 (310) 555-0199` match).
 */
export function participantIdentityKeys(participant: Participant): string[] {
  const keys: string[] = [];
  if (participant.email !== undefined) {
    keys.push(`email:${participant.email.trim().toLowerCase()}`);
  }
  if (participant.phone !== undefined) {
    const digits = participant.phone.replace(/\D/g, '');
    keys.push(`phone:${digits.length > 0 ? digits : participant.phone.trim().toLowerCase()}`);
  }
  if (participant.wechatId !== undefined) {
    keys.push(`wechat:${participant.wechatId.trim().toLowerCase()}`);
  }
  if (participant.wecomUserId !== undefined) {
    keys.push(`wecom:${participant.wecomUserId.trim().toLowerCase()}`);
  }
  return keys;
}

/** True when the two share any identifier. */
export function isSameParticipant(a: Participant, b: Participant): boolean {
  const keys = new Set(participantIdentityKeys(a));
  return participantIdentityKeys(b).some((key) => keys.has(key));
}

/**
 * The distinct people among `participants`, in first-seen order. Where one person appears more
 * than once, the first appearance is kept and given a display name from a later one if it lacked
 * one.
 */
export function distinctParticipants(participants: Iterable<Participant>): Participant[] {
  const result: Participant[] = [];
  const indexByKey = new Map<string, number>();
  for (const participant of participants) {
    const keys = participantIdentityKeys(participant);
    const index = keys.map((key) => indexByKey.get(key)).find((found) => found !== undefined);
    if (index === undefined) {
      keys.forEach((key) => indexByKey.set(key, result.length));
      result.push(participant);
      continue;
    }
    keys.forEach((key) => {
      if (!indexByKey.has(key)) {
        indexByKey.set(key, index);
      }
    });
    if (result[index].displayName === undefined && participant.displayName !== undefined) {
      result[index] = { ...result[index], displayName: participant.displayName };
    }
  }
  return result;
}
