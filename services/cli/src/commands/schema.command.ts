import { Command } from 'commander';
import { renderScenarioDocs, scenarioJsonSchema } from '@tlbsim/contracts';
import type { CliContext } from '../cli.context';
import { EXIT } from '../exit-codes';

/** `tlbsim schema`: prints the JSON Schema of scenario files (or `docs/scenario.md`). */
export function schemaCommand(ctx: CliContext): Command {
  return new Command('schema')
    .description('print the JSON Schema of scenario files')
    .option('--markdown', 'print the scenario reference (docs/scenario.md) instead')
    .action((options: { markdown?: boolean }) => {
      ctx.io.out(options.markdown ? renderScenarioDocs() : `${JSON.stringify(scenarioJsonSchema(), null, 2)}\n`);
      ctx.setExitCode(EXIT.OK);
    });
}
