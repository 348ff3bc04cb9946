import { Controller } from '@nestjs/common';
import { GetStatsHistory, type CommandRequest, type StatsHistory } from '@streamcaster/contracts';
import { OnCommand } from '@streamcaster/service-kit';
import { HistoryService } from './history.service.js';

@Controller()
export class HistoryNatsController {
  constructor(private readonly history: HistoryService) {}

  @OnCommand(GetStatsHistory)
  range(request: CommandRequest<typeof GetStatsHistory>): Promise<StatsHistory> {
    return this.history.range(request.broadcastId, request.from, request.to);
  }
}
