import { Body, Controller, HttpCode, Post } from '@nestjs/common';
import { ApiBody, ApiOkResponse, ApiTags } from '@nestjs/swagger';
import { z } from 'zod';
import { apiBody, openApiSchema, ZodPipe } from '../http/zod-http.js';
import { Public } from './auth.decorators.js';
import { AuthService } from './auth.service.js';

const loginSchema = z.object({
  email: z.string().trim().min(1, 'email is required'),
  password: z.string().min(1, 'password is required'),
});
const tokenSchema = z.object({ accessToken: z.string() });

@ApiTags('auth')
@Controller('auth')
export class AuthHttpController {
  constructor(private readonly auth: AuthService) {}

  @Public()
  @Post('login')
  @HttpCode(200)
  @ApiBody(apiBody(loginSchema))
  @ApiOkResponse({ schema: openApiSchema(tokenSchema) })
  login(@Body(new ZodPipe(loginSchema)) body: z.output<typeof loginSchema>): Promise<z.output<typeof tokenSchema>> {
    return this.auth.login(body.email, body.password);
  }
}
