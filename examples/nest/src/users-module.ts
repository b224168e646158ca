import { KoshaModule } from '@kosha/nestjs';
import { Module } from '@nestjs/common';
import { UserController } from './user-controller.js';
import { UserRepo } from './user-repo.js';
import { UserService } from './user-service.js';

/** The users feature: its repository from KoshaModule.forFeature, its service and controller. */
@Module({
  imports: [KoshaModule.forFeature([UserRepo])],
  controllers: [UserController],
  providers: [UserService],
})
export class UsersModule {}
