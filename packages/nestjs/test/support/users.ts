import 'reflect-metadata';
import { cacheable, column, DbRepo, entity, id, Kosha, repository, table, transactional } from '@kosha/core';
import {
  Body,
  type CallHandler,
  type CanActivate,
  Controller,
  type ExecutionContext,
  ForbiddenException,
  Get,
  Injectable,
  type NestInterceptor,
  NotFoundException,
  Param,
  ParseIntPipe,
  Post,
  SetMetadata,
  UseGuards,
  UseInterceptors,
} from '@nestjs/common';
import { Reflector } from '@nestjs/core';
import { tap } from 'rxjs';
import { InjectKosha } from '../../src/index.js';

@entity
@table('nest_users')
export class User {
  @id() id!: number;
  @column({ type: 'string' }) name!: string;
}

/** A provider the repository's constructor takes: Nest builds the repository with its dependencies. */
@Injectable()
export class Clock {
  now(): Date {
    return new Date(0);
  }
}

@repository
@Injectable()
export class UserRepo extends DbRepo<User> {
  constructor(readonly clock: Clock) {
    super(User);
  }

  @transactional
  @cacheable({ keyPrefix: 'nest-user' })
  async get(userId: number) {
    return this.getById(userId);
  }
}

export const ROLES = 'roles';
export const Roles = (...roles: string[]) => SetMetadata(ROLES, roles);

/** Lets a request through when the `x-role` header is one of the handler's `@Roles`. */
@Injectable()
export class RolesGuard implements CanActivate {
  constructor(private readonly reflector: Reflector) {}
  canActivate(context: ExecutionContext): boolean {
    const roles = this.reflector.get<string[] | undefined>(ROLES, context.getHandler());
    if (!roles) throw new ForbiddenException('no @Roles on the handler: its metadata was lost');
    const role = context.switchToHttp().getRequest().headers['x-role'];
    return roles.includes(role);
  }
}

/** Answers with an `x-intercepted` header: shows the interceptor ran around the handler. */
@Injectable()
export class MarkInterceptor implements NestInterceptor {
  intercept(context: ExecutionContext, next: CallHandler) {
    const response = context.switchToHttp().getResponse();
    return next.handle().pipe(
      tap(() => {
        if (typeof response.header === 'function') response.header('x-intercepted', 'yes');
        else response.setHeader('x-intercepted', 'yes');
      }),
    );
  }
}

@Injectable()
export class UserService {
  constructor(
    readonly users: UserRepo,
    @InjectKosha() readonly kosha: Kosha,
  ) {}

  // Metadata below @transactional, read above it through the method (nestjs-cls's decorator case).
  @transactional
  @SetMetadata('audit', 'user.create')
  async create(name: string) {
    const [user] = await this.users.insertAll([{ name }]);
    if (name === 'fail') throw new Error('refused after the insert');
    return user!;
  }
}

@Controller('users')
@UseGuards(RolesGuard)
export class UserController {
  constructor(
    private readonly service: UserService,
    readonly kosha: Kosha,
  ) {}

  // Guard, interceptor and metadata above @transactional.
  @Post()
  @Roles('admin')
  @UseInterceptors(MarkInterceptor)
  @transactional
  async create(@Body() body: { name: string }) {
    return this.service.create(body.name);
  }

  // …and below it.
  @transactional({ readOnly: true })
  @Get(':id')
  @Roles('admin', 'reader')
  @UseInterceptors(MarkInterceptor)
  async get(@Param('id', ParseIntPipe) userId: number) {
    const user = await this.service.users.get(userId);
    if (!user) throw new NotFoundException(`no user ${userId}`);
    return user;
  }
}
