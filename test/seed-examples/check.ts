/** Compile-time checks the seed's declaration blocks are held to. */
export type Assignable<A, B> = [A] extends [B] ? true : false;
export type Same<A, B> = Assignable<A, B> extends true ? Assignable<B, A> : false;
