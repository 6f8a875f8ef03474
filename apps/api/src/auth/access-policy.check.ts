import { Injectable } from '@nestjs/common';
import type { OnModuleInit } from '@nestjs/common';
import { PATH_METADATA, METHOD_METADATA } from '@nestjs/common/constants';
import { DiscoveryService, MetadataScanner } from '@nestjs/core';
import { accessPolicyOf } from './access-policy';

/**
 * Refuses to start the API when a route declares neither @Public, @Roles nor @Authenticated, so a
 * forgotten declaration is a boot failure in the first test, not an open endpoint in production.
 */
@Injectable()
export class AccessPolicyCheck implements OnModuleInit {
  constructor(
    private readonly discovery: DiscoveryService,
    private readonly scanner: MetadataScanner,
  ) {}

  onModuleInit(): void {
    const missing = undeclaredRoutes(this.discovery, this.scanner);
    if (missing.length > 0) {
      throw new Error(`These endpoints declare no access policy (@Public, @Roles or @Authenticated): ${missing.join(', ')}`);
    }
  }
}

export function undeclaredRoutes(discovery: DiscoveryService, scanner: MetadataScanner): string[] {
  const missing: string[] = [];
  for (const wrapper of discovery.getControllers()) {
    const controller = wrapper.metatype as (new (...args: never[]) => unknown) | undefined;
    if (!controller?.prototype) continue;
    const proto = controller.prototype as Record<string, unknown>;
    for (const name of scanner.getAllMethodNames(proto)) {
      const handler = proto[name];
      if (typeof handler !== 'function') continue;
      if (Reflect.getMetadata(PATH_METADATA, handler) === undefined || Reflect.getMetadata(METHOD_METADATA, handler) === undefined) continue;
      if (accessPolicyOf(handler, controller).kind === 'undeclared') missing.push(`${controller.name}.${name}`);
    }
  }
  return missing;
}
