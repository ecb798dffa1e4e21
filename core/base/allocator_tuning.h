// Process-wide allocator settings for a program that frees and reallocates large buffers many
// times a second (tensors of a training step or a forward pass, decoded images).
#pragma once

namespace clippo {

// With glibc's defaults, a freed block above the (adaptive) mmap threshold goes back to the
// kernel, and the next step's allocation of the same size faults every page in again: measured
// on `clippo train` (the default model's recipe, 2 cores), three quarters of the CPU time went
// to the kernel and training ran at 170-230 examples/s instead of 360-420. Raising the mmap and
// trim thresholds keeps freed memory in the heap for reuse; a process's footprint stays at its
// peak instead of shrinking between steps. Call once, first thing in main(). No-op off glibc.
void keep_freed_memory_for_reuse();

}  // namespace clippo
