import { existsSync, readFileSync } from 'fs';
import { join } from 'path';

/** Lua scripts of the job protocol, by file name (without `.lua`) in `lua/`. */
export type LuaScriptName =
  | 'append-event'
  | 'append-shard-event'
  | 'checkpoint'
  | 'claim'
  | 'complete-shard'
  | 'finish'
  | 'publish'
  | 'resize-commit'
  | 'resize-request'
  | 'resize-stop'
  | 'snapshot';

/** Longest script file read, in bytes (a script is a few hundred lines at most). @defaultValue 65536 */
export const LUA_SCRIPT_BYTES_MAX = 65536;

/**
 * Where the `.lua` files are: `lua/` next to this module (`dist/lua`, copied
 * by `scripts/copy-lua.js` after `tsc`; `src/lua` under ts-jest), else the
 * sources' `src/lua` seen from `dist` (a tree built by `tsc -b` alone).
 */
function luaDirOf(dir: string): string {
  const here = join(dir, 'lua');
  if (existsSync(here)) return here;
  const src = join(dir, '..', 'src', 'lua');
  if (existsSync(src)) return src;
  throw new Error(`the Lua scripts are missing: neither ${here} nor ${src} exists (run the build)`);
}

const cache = new Map<LuaScriptName, string>();

/**
 * The text of script `name` (its header comment included: Redis ignores
 * it), read once per process. Throws if the file is missing or too long.
 */
export function loadLua(name: LuaScriptName): string {
  const hit = cache.get(name);
  if (hit !== undefined) return hit;
  const text = readFileSync(join(luaDirOf(__dirname), `${name}.lua`), 'utf8');
  if (Buffer.byteLength(text) > LUA_SCRIPT_BYTES_MAX)
    throw new Error(`lua/${name}.lua: longer than ${LUA_SCRIPT_BYTES_MAX} bytes`);
  cache.set(name, text);
  return text;
}
