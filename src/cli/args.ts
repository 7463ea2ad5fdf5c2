// Command-line parsing with node:util's parseArgs (tokens mode): `--name value`, `--name=value` and boolean flags,
// checked against each command's option list (unknown options get a "did you mean"), then the run options are
// validated by the zod schema in src/config. Every problem is a CondlabError naming the option; nothing else escapes.
import { parseArgs as nodeParseArgs } from 'node:util';
import { CondlabError } from '../engine/errors.js';
import { FIELDS, FIELD_NAMES, didYouMean, kebab, shown, validateOverrides } from '../config/schema.js';
import type { RunConfig } from '../experiments/types.js';

export interface OptionSpec {
  type: 'string' | 'boolean';
  help: string;
}

export interface Parsed {
  positionals: string[];
  values: Record<string, string | boolean>;
}

const hint = (name: string, options: Record<string, OptionSpec>): string =>
  didYouMean(name, Object.keys(options)).replace(/'([^']+)'\?$/, "'--$1'?");

export function parseArgs(argv: string[], options: Record<string, OptionSpec>, command: string): Parsed {
  if (!Array.isArray(argv) || argv.some((a) => typeof a !== 'string')) {
    throw new CondlabError(`${command}: arguments must be strings`, 'bad-args');
  }
  // strict: false so that nothing is rejected with node's own wording; every check below is ours.
  const { tokens } = nodeParseArgs({
    args: argv,
    options: Object.fromEntries(Object.entries(options).map(([k, o]) => [k, { type: o.type }])),
    strict: false,
    allowPositionals: true,
    tokens: true,
  });
  const positionals: string[] = [];
  const values: Record<string, string | boolean> = {};
  for (const t of tokens) {
    if (t.kind === 'option-terminator') continue;
    if (t.kind === 'positional') {
      positionals.push(t.value);
      continue;
    }
    const spec = Object.hasOwn(options, t.name) ? options[t.name] : undefined;
    if (!t.rawName.startsWith('--')) {
      // single-dash options (-h, -x, also "-5"): condlab spells every option --name
      const raw = argv[t.index];
      throw new CondlabError(
        `${command}: unknown option '${shown(raw)}' (options are spelled --name; a negative number goes as --name=-x)${hint(raw.replace(/^-+/, '').split('=')[0], options)}`,
        'bad-args',
        { option: raw },
      );
    }
    if (!spec) {
      throw new CondlabError(`${command}: unknown option '--${shown(t.name)}'${hint(t.name, options)}`, 'bad-args', { option: t.name });
    }
    if (Object.hasOwn(values, t.name)) throw new CondlabError(`${command}: option --${t.name} given twice`, 'bad-args', { option: t.name });
    if (spec.type === 'boolean') {
      if (t.inlineValue) throw new CondlabError(`${command}: --${t.name} is a flag and takes no value`, 'bad-args', { option: t.name });
      values[t.name] = true;
    } else {
      const v = t.value;
      if (v === undefined || (!t.inlineValue && v.startsWith('--'))) {
        throw new CondlabError(`${command}: --${t.name} needs a value (${spec.help})`, 'bad-args', { option: t.name });
      }
      values[t.name] = v;
    }
  }
  return { positionals, values };
}

const LIST_FIELDS = new Set(['dims', 'lrs', 'weightDecays', 'depths', 'inits', 'noises', 'targetScales', 'multLrFactors', 'specLambdas', 'specClips', 'stAlphas', 'batches']);

/** The run options, one per RunConfig field (except preset, which has its own). */
export const CONFIG_OPTIONS: Record<string, OptionSpec> = Object.fromEntries(
  FIELD_NAMES.filter((f) => f !== 'preset').map((f) => [kebab(f), { type: 'string', help: FIELDS[f][1] } as OptionSpec]),
);

function toNumber(text: string): number {
  const t = text.trim();
  // Number('') is 0 and Number('0x10') is 16: accept plain decimal / exponent notation only
  return /^[-+]?(\d+\.?\d*|\.\d+)([eE][-+]?\d+)?$/.test(t) ? Number(t) : /^[-+]?(Infinity|NaN)$/.test(t) ? Number(t) : Number.NaN;
}

/** CLI strings → typed overrides, validated. Bad numbers keep their text so the error can show it. */
export function configOverrides(values: Record<string, string | boolean>): Partial<RunConfig> {
  const raw: Record<string, unknown> = {};
  for (const f of FIELD_NAMES) {
    const v = values[kebab(f)];
    if (typeof v !== 'string') continue;
    if (f === 'preset' || f === 'init' || f === 'target' || f === 'data') raw[f] = v;
    else if (LIST_FIELDS.has(f)) raw[f] = v.split(',').map((x) => (Number.isNaN(toNumber(x)) ? x : toNumber(x)));
    else raw[f] = Number.isNaN(toNumber(v)) && v.trim() !== 'NaN' ? v : toNumber(v);
  }
  return validateOverrides(raw);
}
