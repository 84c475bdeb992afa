// fast-check arbitraries generated from the API's request schemas (src/api/schema): `validBody` walks a schema and
// makes values it accepts, odd ones included (empty and long strings, non-ASCII, boundary integers, empty and
// absent containers), with a few fields steered to values a shared test engine can take (no random host devices,
// volume plugins or registries); `invalidBody` takes such a body and breaks it in one of the ways the issue found
// (a wrong JSON type, a null array entry, a number past its type, a nesting 10,000 deep, a key folded the way Go
// matches it, bind, port and restart grammar), and says which, so the property can demand a 400.
import fc from 'fast-check';
import type { TSchema } from '@sinclair/typebox';

export type Json = null | boolean | number | string | Json[] | { [key: string]: Json };

/** Strings from plain to odd: empty, long, spaces, non-ASCII, control characters, path-like. */
const oddString = fc.oneof(
  { weight: 4, arbitrary: fc.string({ maxLength: 12 }) },
  { weight: 1, arbitrary: fc.constantFrom('', ' ', 'x'.repeat(300), 'ünïcødé ✓', 'a\u0000b', '../..', '/', '$(id)') },
);

/** Field path (dotted, `[]` for array items) → what to generate there instead of the schema's generic values. */
export type Overrides = Readonly<Record<string, fc.Arbitrary<Json | undefined>>>;

export function validFrom(schema: TSchema, overrides: Overrides, path = ''): fc.Arbitrary<Json> {
  if (schema.anyOf) {
    const members = (schema.anyOf as TSchema[]).filter((m) => m.type !== 'null');
    return fc.oneof(...members.map((m) => validFrom(m, overrides, path)));
  }
  switch (schema.type) {
    case 'string':
      return oddString;
    case 'boolean':
      return fc.boolean();
    case 'integer': {
      const min = schema.minimum as number;
      const max = schema.maximum as number;
      return fc.oneof(
        { weight: 3, arbitrary: fc.integer({ min: Math.max(min, -5), max: Math.min(max, 5) }) },
        { weight: 1, arbitrary: fc.constantFrom(min, max, Math.max(min, Math.min(max, 0))) },
      );
    }
    case 'array':
      return fc.array(validFrom(schema.items as TSchema, overrides, `${path}[]`), {
        maxLength: Math.min(3, (schema.maxItems as number | undefined) ?? 3),
      });
    case 'null':
      return fc.constant(null);
    case 'object': {
      if (schema.patternProperties) {
        const item = Object.values(schema.patternProperties as Record<string, TSchema>)[0]!;
        return fc.dictionary(oddString, validFrom(item, overrides, `${path}{}`), { maxKeys: 3 }) as fc.Arbitrary<Json>;
      }
      const properties = schema.properties as Record<string, TSchema> | undefined;
      if (!properties || Object.keys(properties).length === 0) return fc.constant({});
      const fields: Record<string, fc.Arbitrary<Json | undefined>> = {};
      for (const [name, field] of Object.entries(properties)) {
        const at = path ? `${path}.${name}` : name;
        fields[name] = overrides[at] ?? validFrom(field, overrides, at);
      }
      // Few fields per object: a body with every field set mostly exercises the first refusal dockerd finds.
      return fc
        .record(fields, { requiredKeys: [] })
        .chain((full) =>
          fc
            .subarray(Object.keys(full), { maxLength: 6 })
            .map((keys) =>
              Object.fromEntries(keys.filter((k) => full[k] !== undefined).map((k) => [k, full[k] as Json])),
            ),
        );
    }
    default:
      return fc.constant(null);
  }
}

/** Every field path of a schema with its schema (array items as `[]`), for picking where to break a body. */
export function fieldPaths(
  schema: TSchema,
  path: string[] = [],
  out: [string[], TSchema][] = [],
): [string[], TSchema][] {
  if (schema.anyOf) return out;
  if (schema.type === 'object' && schema.properties) {
    for (const [name, field] of Object.entries(schema.properties as Record<string, TSchema>)) {
      out.push([[...path, name], field]);
      if (path.length < 3) fieldPaths(field, [...path, name], out);
    }
  }
  return out;
}

export type Breakage = 'wrong-type' | 'null-entry' | 'huge-number' | 'deep-nesting' | 'folded-key' | 'grammar';

export interface BrokenBody {
  readonly breakage: Breakage;
  readonly where: string;
  /** The raw body text (some breakages, such as 1e400, cannot be made with JSON.stringify). */
  readonly text: string;
}

const wrongValueFor = (schema: TSchema): fc.Arbitrary<Json> => {
  const others: Json[] = [];
  if (schema.type !== 'string' && !schema.anyOf) others.push('1', '');
  if (schema.type !== 'integer') others.push(7, -1.5);
  if (schema.type !== 'boolean') others.push(true);
  if (schema.type !== 'array' && !schema.anyOf) others.push([1, 'a']);
  if (schema.type !== 'object') others.push({ a: 1 });
  if (schema.type === 'integer') others.push(1.5, '12');
  return fc.constantFrom(...others);
};

/** Sets `value` at `path` inside `body` (creating objects on the way), returning a copy. */
function setAt(body: Record<string, Json>, path: readonly string[], value: Json): Record<string, Json> {
  const copy = structuredClone(body);
  let node: Record<string, Json> = copy;
  for (const part of path.slice(0, -1)) {
    const next = node[part];
    if (typeof next !== 'object' || next === null || Array.isArray(next)) node[part] = {};
    node = node[part] as Record<string, Json>;
  }
  node[path.at(-1)!] = value;
  return copy;
}

/** A body broken in one way; `valid` is a valid body of the same schema to start from. */
export function invalidFrom(schema: TSchema, valid: fc.Arbitrary<Json>): fc.Arbitrary<BrokenBody> {
  const paths = fieldPaths(schema);
  const arrays = paths.filter(([, s]) => s.type === 'array' && (s.items as TSchema).type !== 'string');
  const integers = paths.filter(([, s]) => s.type === 'integer');
  const typed = paths.filter(([, s]) => s.type !== undefined || s.anyOf);
  const pick = <T>(list: readonly T[]) => fc.constantFrom(...list);
  const base = valid.map((v) => v as Record<string, Json>);
  const stringify = (breakage: Breakage, where: string[], body: Record<string, Json>): BrokenBody => ({
    breakage,
    where: where.join('.'),
    text: JSON.stringify(body),
  });
  const hostKeys = paths.some(([p]) => p[0] === 'HostConfig');
  const grammar: [string[], Json][] = hostKeys
    ? [
        [['HostConfig', 'Binds'], ['/a:/b:bogusmode']],
        [['HostConfig', 'Binds'], ['relative:/x:ro,rw']],
        [['HostConfig', 'Binds'], ['/a:relative']],
        [['HostConfig', 'PortBindings'], { '80/tcp': [{ HostPort: 'eighty' }] }],
        [['HostConfig', 'PortBindings'], { '99999/tcp': [] }],
        [['ExposedPorts'], { '80/icmp': {} }],
        [['HostConfig', 'RestartPolicy'], { Name: 'sometimes' }],
        [['HostConfig', 'RestartPolicy'], { Name: 'always', MaximumRetryCount: 3 }],
        [['HostConfig', 'Mounts'], [{ Type: 'bind', Target: '/x' }]],
        [['HostConfig', 'Mounts'], [{ Type: 'weird', Target: '/x' }]],
        [['HostConfig', 'Ulimits'], [{ Name: 'nofile', Soft: 10, Hard: 5 }]],
        [['HostConfig', 'Memory'], 1024],
      ]
    : [];
  const kinds: fc.Arbitrary<BrokenBody>[] = [
    fc
      .tuple(base, pick(typed))
      .chain(([body, [path, field]]) =>
        wrongValueFor(field).map((value) => stringify('wrong-type', path, setAt(body, path, value))),
      ),
    fc
      .tuple(
        base,
        pick(integers),
        fc.constantFrom('18446744073709551616', '9223372036854775808', '1e400', '-1e30', '2.5'),
      )
      .map(([body, [path], number]) => {
        const marker = '"__number__"';
        return {
          breakage: 'huge-number' as const,
          where: path.join('.'),
          text: JSON.stringify(setAt(body, path, '__number__')).replace(marker, number),
        };
      }),
    fc.tuple(base, pick(paths), fc.integer({ min: 40, max: 10_000 })).map(([body, [path], depth]) => {
      const marker = '"__deep__"';
      return {
        breakage: 'deep-nesting' as const,
        where: path.join('.'),
        text: JSON.stringify(setAt(body, path, '__deep__')).replace(marker, `${'['.repeat(depth)}${']'.repeat(depth)}`),
      };
    }),
  ];
  if (arrays.length) {
    kinds.push(
      fc
        .tuple(base, pick(arrays), fc.boolean())
        .map(([body, [path], alone]) => stringify('null-entry', path, setAt(body, path, alone ? [null] : [{}, null]))),
    );
  }
  if (hostKeys) {
    // `hostconfig` / `HOSTCONFIG` / `HostConfıg`-style keys that Go folds onto HostConfig, carrying a null ulimit.
    kinds.push(
      fc.tuple(base, fc.constantFrom('hostconfig', 'HOSTCONFIG', 'hostConfig')).map(([body, key]) => {
        const copy: Record<string, Json> = { ...body, [key]: { Ulimits: [null] } };
        return { breakage: 'folded-key' as const, where: key, text: JSON.stringify(copy) };
      }),
      fc.tuple(base, fc.constantFrom('Ulimitſ', 'ULIMITS', 'ulimits')).map(([body, key]) => {
        const host = { ...((body.HostConfig as Record<string, Json> | undefined) ?? {}), [key]: [null] };
        return {
          breakage: 'folded-key' as const,
          where: `HostConfig.${key}`,
          text: JSON.stringify({ ...body, HostConfig: host }),
        };
      }),
      fc
        .tuple(base, pick(grammar))
        .map(([body, [path, value]]) => stringify('grammar', path, setAt(body, path, value))),
    );
  }
  return fc.oneof(...kinds);
}
