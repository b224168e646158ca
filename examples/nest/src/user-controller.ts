import { Body, Controller, Get, NotFoundException, Param, ParseIntPipe, Post } from '@nestjs/common';
import type { User } from './user.js';
import { type NewUser, UserService } from './user-service.js';

/** `POST /users` and `GET /users/:id`. */
@Controller('users')
export class UserController {
  constructor(private readonly service: UserService) {}

  @Post()
  register(@Body() body: NewUser): Promise<User> {
    return this.service.register(body);
  }

  @Get(':id')
  async get(@Param('id', ParseIntPipe) userId: number): Promise<User> {
    const user = await this.service.find(userId);
    if (!user) throw new NotFoundException(`no user ${userId}`);
    return user;
  }
}
