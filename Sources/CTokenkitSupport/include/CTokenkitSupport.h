// The few things Swift cannot say itself, for Tokenkit's hot paths.
#ifndef CTOKENKIT_SUPPORT_H
#define CTOKENKIT_SUPPORT_H

/// Asks the CPU to start loading the cache line holding `address` (a hint: it never faults and
/// may be ignored). The fast encoder issues it for the hash-table slots of a batch of pieces
/// before it probes any of them, so that their cache misses overlap instead of following one
/// another.
static inline __attribute__((always_inline)) void tokenkit_prefetch(const void *address) {
    __builtin_prefetch(address, 0, 3);
}

/// Returns the heap memory that `free` kept to the system (glibc keeps large freed blocks, so
/// a tokenizer file parsed and dropped would otherwise stay resident). Elsewhere it does nothing.
int tokenkit_return_freed_memory(void);

#endif
