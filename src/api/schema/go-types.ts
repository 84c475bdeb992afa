// The JSON Schema building blocks for dockerd's request types, one per Go type its API structs use, so a schema
// reads like the Go struct it mirrors (api/types/container, network, mount at Docker 20.10, API 1.41). Each block
// carries `expected`, the words a 400 uses for it. What encoding/json decides before dockerd ever looks (a field
// of the wrong type, a number past the Go type's range) is decided here, so it is a 400 instead of 20.10's 500
// "json: cannot unmarshal …". A Go null (the zero value, or "leave as is") is handled by the normalizer, not here.
import { Type, type TSchema, type TProperties, type SchemaOptions } from '@sinclair/typebox';

/** The extra schema keyword our messages read. */
export const EXPECTED = 'expected';

const with_ = (expected: string, options: SchemaOptions = {}): SchemaOptions => ({ ...options, [EXPECTED]: expected });

/**
 * The largest magnitude a number keeps exactly once parsed: JSON.parse turns 2^63 into a float that is no longer
 * the number the client sent, and nothing a container asks for is that large (8 PiB of memory, 9 million CPUs).
 */
const SAFE = Number.MAX_SAFE_INTEGER;

export const GoString = (options: SchemaOptions = {}) => Type.String(with_('a string', options));
export const GoBool = () => Type.Boolean(with_('a boolean'));

/** A Go integer type, bounded by what the type holds and what a number keeps exactly. */
function integer(goType: string, minimum: number, maximum: number) {
  return (range: { minimum?: number; maximum?: number } = {}) => {
    const lo = range.minimum ?? minimum;
    const hi = range.maximum ?? maximum;
    return Type.Integer({ minimum: lo, maximum: hi, [EXPECTED]: `an integer from ${lo} to ${hi} (${goType})` });
  };
}
export const Int64 = integer('int64', -SAFE, SAFE);
export const Int = Int64;
export const Uint64 = integer('uint64', 0, SAFE);
export const Uint32 = integer('uint32', 0, 2 ** 32 - 1);
export const Uint16 = integer('uint16', 0, 65_535);
export const Uint = Uint64;

/** `[]string`. Entries may not be null (encoding/json would make them ""). */
export const Strings = () => Type.Array(GoString(), with_('an array of strings'));

/** strslice.StrSlice: a string or an array of strings (Cmd, Entrypoint, Shell, CapAdd). */
export const StrSlice = () =>
  Type.Union([Type.String(), Type.Array(Type.String())], with_('a string or an array of strings'));

/** `map[string]string` (Labels, Options, Sysctls). */
export const StringMap = () => Type.Record(Type.String(), GoString(), with_('an object of strings'));

/** `map[string]struct{}` (ExposedPorts, Volumes): keys matter, values are empty objects (or null). */
export const StringSet = () =>
  Type.Record(
    Type.String(),
    Type.Union([Type.Object({}), Type.Null()], with_('an empty object')),
    with_('an object whose values are {}'),
  );

/** A Go slice of `item`. Entries may not be null: a null struct pointer in dockerd is a panic (Ulimits:[null]). */
export const Slice = <T extends TSchema>(item: T, what: string) => Type.Array(item, with_(`an array of ${what}`));

/** A Go struct: every field optional (absent and null both mean Go's zero value). */
export const Struct = <P extends TProperties>(properties: P, what = 'an object') =>
  Type.Partial(Type.Object(properties, with_(what)));

/** A Go `map[string]T` of structs (EndpointsConfig, PortBindings). */
export const MapOf = <T extends TSchema>(item: T, what: string) => Type.Record(Type.String(), item, with_(what));
