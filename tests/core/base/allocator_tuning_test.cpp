// The allocator setting `clippo` starts with: a large block, once freed, is reused from the heap
// instead of being unmapped and faulted in again on the next allocation.
#include "core/base/allocator_tuning.h"

#include <gtest/gtest.h>

#include <cstdlib>
#include <cstring>

#include "core/base/sanitizers.h"

#if defined(__GLIBC__)
#include <malloc.h>
#endif

// Under AddressSanitizer malloc is the sanitizer's, not glibc's: there is no glibc heap to look at.
#if defined(__GLIBC__) && !CLIPPO_ADDRESS_SANITIZER
#define CLIPPO_GLIBC_MALLOC 1
#else
#define CLIPPO_GLIBC_MALLOC 0
#endif

namespace clippo {
namespace {

#if CLIPPO_GLIBC_MALLOC
TEST(AllocatorTuning, LargeBlocksComeFromTheHeapAndStayThere) {
  keep_freed_memory_for_reuse();
  constexpr size_t kBytes = size_t{64} << 20;  // far above glibc's default 128 KiB mmap threshold
  const size_t mapped_before = mallinfo2().hblkhd;
  void* block = std::malloc(kBytes);
  ASSERT_NE(block, nullptr);
  std::memset(block, 1, kBytes);
  EXPECT_EQ(mallinfo2().hblkhd, mapped_before) << "a 64 MiB block was mmap'ed, not taken from the heap";
  const size_t heap_with_block = mallinfo2().arena;
  std::free(block);
  // Freed, it stays in the heap (below the trim threshold) for the next step to reuse.
  EXPECT_GE(mallinfo2().arena, heap_with_block);
  EXPECT_GE(mallinfo2().fordblks, kBytes);
}
#endif

}  // namespace
}  // namespace clippo
