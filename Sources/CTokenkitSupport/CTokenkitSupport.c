// The out-of-line part of the support functions (the hints are static inline in the header).
#include "CTokenkitSupport.h"

#if defined(__GLIBC__)
#include <malloc.h>
int tokenkit_return_freed_memory(void) { return malloc_trim(0); }
#else
int tokenkit_return_freed_memory(void) { return 0; }
#endif
