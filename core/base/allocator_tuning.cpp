#include "core/base/allocator_tuning.h"

#include <cstdlib>  // defines __GLIBC__ (through <features.h>) on glibc, before the test below

#if defined(__GLIBC__)
#include <malloc.h>
#endif

namespace clippo {

void keep_freed_memory_for_reuse() {
#if defined(__GLIBC__)
  // Blocks up to 1 GiB come from the heap (a fixed threshold also stops glibc's adaptive one
  // from moving), and up to 2 GiB of free heap top is kept rather than returned.
  mallopt(M_MMAP_THRESHOLD, 1 << 30);
  mallopt(M_TRIM_THRESHOLD, static_cast<int>((1u << 31) - 1));
  mallopt(M_TOP_PAD, 256 << 20);
#endif
}

}  // namespace clippo
