import { Controller, Get } from '@nestjs/common';
import { ApiOkResponse, ApiTags } from '@nestjs/swagger';
import { ScenarioFields, ScenarioInfo, ScenariosService } from './scenarios.service';

/** The shipped scenarios, for the submit form. */
@ApiTags('scenarios')
@Controller('api/scenarios')
export class ScenariosController {
  constructor(private readonly scenarios: ScenariosService) {}

  /** Lists `scenarios/*.yaml`: id, description, content as written and with defaults filled in. */
  @Get()
  @ApiOkResponse({ description: 'The shipped scenarios' })
  list(): Promise<ScenarioInfo[]> {
    return this.scenarios.list();
  }

  /** Numeric limits and enum values of every scenario field. */
  @Get('fields')
  fields(): ScenarioFields {
    return this.scenarios.fields();
  }
}
