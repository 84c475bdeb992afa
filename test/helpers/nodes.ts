// The engines' names as the manager shows them (`<node>/<name>`, `{{.Node.Name}}`): read from the engines themselves,
// never assumed, since node-1 is named after the machine's hostname.
import { dockerCli } from './docker-cli.js';
import { ENGINES } from './services.js';

let names: Promise<string[]> | undefined;

/** The name of each engine in ENGINES, in the same order. */
export function engineNames(): Promise<string[]> {
  names ??= Promise.all(ENGINES.map((engine) => dockerCli(engine).ok(['info', '--format', '{{.Name}}'])));
  return names;
}
