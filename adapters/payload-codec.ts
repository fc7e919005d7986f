/**
 * Encryption of everything the API and the worker hand to Temporal (workflow inputs, activity arguments and
 * results, update and query answers): names, document numbers, incomes, addresses and bank accounts never
 * reach Temporal's history in plaintext. AES-256-GCM, a fresh 96-bit nonce per payload, the key's id in the
 * payload's metadata (and bound to the ciphertext), so that keys can be rotated: the first key of
 * PAYLOAD_ENCRYPTION_KEYS encrypts, every listed key decrypts, and histories written under an older key stay
 * readable for as long as that key stays listed. Payloads that were never encrypted (cases started before
 * encryption was switched on) pass through unchanged.
 *
 * Search attributes are not payloads of this codec: they hold no personal data by design (state, benefit,
 * municipality, assignee's staff id, next deadline).
 */
import { createCipheriv, createDecipheriv, randomBytes } from 'node:crypto';
import type { Payload, PayloadCodec } from '@temporalio/common';
import { temporal } from '@temporalio/proto';

export const ENCRYPTED_ENCODING = 'binary/encrypted';
const KEY_ID_METADATA = 'encryption-key-id';
const NONCE_BYTES = 12;
const TAG_BYTES = 16;

export interface PayloadKey {
  id: string;
  key: Buffer;
}

export class PayloadKeyError extends Error {}

/** `id:base64key[,id:base64key...]`, newest first; each key 32 random bytes (`openssl rand -base64 32`). */
export function parsePayloadKeys(spec: string): PayloadKey[] {
  const keys = spec
    .split(',')
    .map((s) => s.trim())
    .filter(Boolean)
    .map((entry) => {
      const at = entry.indexOf(':');
      const id = entry.slice(0, at);
      const key = Buffer.from(entry.slice(at + 1), 'base64');
      if (at <= 0 || !/^[\w.-]{1,64}$/.test(id))
        throw new PayloadKeyError('each key is id:base64 (id of letters, digits, ".", "_" or "-")');
      if (key.length !== 32) throw new PayloadKeyError(`key ${id} is ${key.length} bytes, not 32`);
      return { id, key };
    });
  if (keys.length === 0) throw new PayloadKeyError('no key given');
  if (new Set(keys.map((k) => k.id)).size !== keys.length) throw new PayloadKeyError('a key id is repeated');
  return keys;
}

const text = (s: string): Uint8Array => new TextEncoder().encode(s);
const str = (b: Uint8Array | null | undefined): string => (b ? new TextDecoder().decode(b) : '');

export class AesGcmPayloadCodec implements PayloadCodec {
  private readonly byId: Map<string, Buffer>;
  private readonly active: PayloadKey;

  constructor(keys: PayloadKey[]) {
    const [active] = keys;
    if (!active) throw new PayloadKeyError('no key given');
    this.active = active;
    this.byId = new Map(keys.map((k) => [k.id, k.key]));
  }

  encode(payloads: Payload[]): Promise<Payload[]> {
    return Promise.resolve().then(() => payloads.map((payload) => this.seal(payload)));
  }

  decode(payloads: Payload[]): Promise<Payload[]> {
    return Promise.resolve().then(() => payloads.map((payload) => this.open(payload)));
  }

  private seal(payload: Payload): Payload {
    const plain = temporal.api.common.v1.Payload.encode(payload).finish();
    const nonce = randomBytes(NONCE_BYTES);
    const cipher = createCipheriv('aes-256-gcm', this.active.key, nonce);
    cipher.setAAD(text(this.active.id));
    const sealed = Buffer.concat([nonce, cipher.update(plain), cipher.final(), cipher.getAuthTag()]);
    return {
      metadata: { encoding: text(ENCRYPTED_ENCODING), [KEY_ID_METADATA]: text(this.active.id) },
      data: sealed,
    };
  }

  private open(payload: Payload): Payload {
    if (str(payload.metadata?.encoding) !== ENCRYPTED_ENCODING) return payload;
    const id = str(payload.metadata?.[KEY_ID_METADATA]);
    const key = this.byId.get(id);
    if (!key) throw new PayloadKeyError(`payload encrypted with key "${id}", which is not configured`);
    const sealed = Buffer.from(payload.data ?? new Uint8Array());
    if (sealed.length < NONCE_BYTES + TAG_BYTES) throw new PayloadKeyError('encrypted payload too short');
    const decipher = createDecipheriv('aes-256-gcm', key, sealed.subarray(0, NONCE_BYTES));
    decipher.setAAD(text(id));
    decipher.setAuthTag(sealed.subarray(sealed.length - TAG_BYTES));
    const plain = Buffer.concat([
      decipher.update(sealed.subarray(NONCE_BYTES, sealed.length - TAG_BYTES)),
      decipher.final(), // throws when the payload or its key id was tampered with
    ]);
    return temporal.api.common.v1.Payload.decode(plain);
  }
}

/** The data converter for clients and workers: encrypted payloads when keys are configured. */
export function dataConverterFor(keys: string | undefined): { payloadCodecs: PayloadCodec[] } | undefined {
  return keys ? { payloadCodecs: [new AesGcmPayloadCodec(parsePayloadKeys(keys))] } : undefined;
}
