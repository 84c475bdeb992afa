// The other JSON bodies the API reads: networks (create, connect, disconnect), volumes (create), exec (create,
// start) and registry auth, as Docker 20.10's Go structs declare them (api/types/types.go, configs.go, auth.go,
// network, volume).
import { type Static } from '@sinclair/typebox';
import { GoBool, GoString, Slice, StringMap, Strings, Struct } from './go-types.js';
import { EndpointSettings } from './container.js';

const IPAMConfig = Struct(
  { Subnet: GoString(), IPRange: GoString(), Gateway: GoString(), AuxiliaryAddresses: StringMap() },
  'an IPAM config object',
);

export const NetworkCreate = Struct(
  {
    Name: GoString(),
    CheckDuplicate: GoBool(),
    Driver: GoString(),
    Scope: GoString(),
    EnableIPv6: GoBool(),
    IPAM: Struct(
      { Driver: GoString(), Options: StringMap(), Config: Slice(IPAMConfig, 'IPAM config objects') },
      'an IPAM object',
    ),
    Internal: GoBool(),
    Attachable: GoBool(),
    Ingress: GoBool(),
    ConfigOnly: GoBool(),
    ConfigFrom: Struct({ Network: GoString() }, 'a config reference object'),
    Options: StringMap(),
    Labels: StringMap(),
  },
  'an object',
);
export type NetworkCreateBody = Static<typeof NetworkCreate>;

export const NetworkConnect = Struct({ Container: GoString(), EndpointConfig: EndpointSettings }, 'an object');
export type NetworkConnectBody = Static<typeof NetworkConnect>;

export const NetworkDisconnect = Struct({ Container: GoString(), Force: GoBool() }, 'an object');
export type NetworkDisconnectBody = Static<typeof NetworkDisconnect>;

export const VolumeCreate = Struct(
  { Name: GoString(), Driver: GoString(), DriverOpts: StringMap(), Labels: StringMap() },
  'an object',
);
export type VolumeCreateBody = Static<typeof VolumeCreate>;

export const ExecCreate = Struct(
  {
    User: GoString(),
    Privileged: GoBool(),
    Tty: GoBool(),
    AttachStdin: GoBool(),
    AttachStderr: GoBool(),
    AttachStdout: GoBool(),
    Detach: GoBool(),
    DetachKeys: GoString(),
    Env: Strings(),
    WorkingDir: GoString(),
    Cmd: Strings(),
  },
  'an object',
);
export type ExecCreateBody = Static<typeof ExecCreate>;

export const ExecStart = Struct({ Detach: GoBool(), Tty: GoBool() }, 'an object');
export type ExecStartBody = Static<typeof ExecStart>;

export const AuthConfig = Struct(
  {
    username: GoString(),
    password: GoString(),
    auth: GoString(),
    email: GoString(),
    serveraddress: GoString(),
    identitytoken: GoString(),
    registrytoken: GoString(),
  },
  'an object',
);
export type AuthConfigBody = Static<typeof AuthConfig>;
