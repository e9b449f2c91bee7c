/**
 * The time as the OpenID provider sees it (authorization code and interaction lifetimes). Tests
 * inject one to let a code expire without waiting; everything else reads the real clock.
 */
export type Clock = () => Date;

export const systemClock: Clock = () => new Date();
