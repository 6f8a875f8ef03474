import { SkipThrottle } from '@nestjs/throttler';
import { THROTTLER_AUTHENTICATED, THROTTLER_PUBLIC } from './throttler-names';

/** Exempts an endpoint from every rate limit (health probes, metrics scrapes, load-test ceilings). */
export const NoRateLimit = (): MethodDecorator & ClassDecorator => SkipThrottle({ [THROTTLER_PUBLIC]: true, [THROTTLER_AUTHENTICATED]: true });
