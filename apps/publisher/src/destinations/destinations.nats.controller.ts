import { Controller } from '@nestjs/common';
import {
  CreateDestination,
  DeleteDestination,
  ListDestinations,
  UpdateDestination,
  type CommandRequest,
  type CommandResponse,
} from '@streamcaster/contracts';
import { OnCommand } from '@streamcaster/service-kit';
import { DestinationsService } from './destinations.service.js';

@Controller()
export class DestinationsNatsController {
  constructor(private readonly destinations: DestinationsService) {}

  @OnCommand(CreateDestination)
  create(request: CommandRequest<typeof CreateDestination>): Promise<CommandResponse<typeof CreateDestination>> {
    return this.destinations.create(request);
  }

  @OnCommand(ListDestinations)
  list(request: CommandRequest<typeof ListDestinations>): Promise<CommandResponse<typeof ListDestinations>> {
    return this.destinations.list(request.environment);
  }

  @OnCommand(UpdateDestination)
  update(request: CommandRequest<typeof UpdateDestination>): Promise<CommandResponse<typeof UpdateDestination>> {
    return this.destinations.update(request.id, request.patch);
  }

  @OnCommand(DeleteDestination)
  delete(request: CommandRequest<typeof DeleteDestination>): Promise<CommandResponse<typeof DeleteDestination>> {
    return this.destinations.delete(request.id);
  }
}
