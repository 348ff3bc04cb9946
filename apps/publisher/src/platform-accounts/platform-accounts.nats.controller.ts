import { Controller } from '@nestjs/common';
import {
  ChoosePlatformPage,
  CompletePlatformConnect,
  DeletePlatformAccount,
  ListPlatformAccounts,
  ListPlatformSetups,
  StartPlatformConnect,
  type CommandRequest,
  type CommandResponse,
} from '@streamcaster/contracts';
import { OnCommand } from '@streamcaster/service-kit';
import { PlatformAccountsService } from './platform-accounts.service.js';

@Controller()
export class PlatformAccountsNatsController {
  constructor(private readonly accounts: PlatformAccountsService) {}

  @OnCommand(ListPlatformSetups)
  setups(): CommandResponse<typeof ListPlatformSetups> {
    return this.accounts.setups();
  }

  @OnCommand(StartPlatformConnect)
  connect(request: CommandRequest<typeof StartPlatformConnect>): Promise<CommandResponse<typeof StartPlatformConnect>> {
    return this.accounts.startConnect(request);
  }

  @OnCommand(CompletePlatformConnect)
  callback(request: CommandRequest<typeof CompletePlatformConnect>): Promise<CommandResponse<typeof CompletePlatformConnect>> {
    return this.accounts.completeConnect(request);
  }

  @OnCommand(ListPlatformAccounts)
  list(request: CommandRequest<typeof ListPlatformAccounts>): Promise<CommandResponse<typeof ListPlatformAccounts>> {
    return this.accounts.list(request.environment);
  }

  @OnCommand(ChoosePlatformPage)
  choosePage(request: CommandRequest<typeof ChoosePlatformPage>): Promise<CommandResponse<typeof ChoosePlatformPage>> {
    return this.accounts.choosePage(request.id, request.pageId);
  }

  @OnCommand(DeletePlatformAccount)
  delete(request: CommandRequest<typeof DeletePlatformAccount>): Promise<CommandResponse<typeof DeletePlatformAccount>> {
    return this.accounts.delete(request.id);
  }
}
