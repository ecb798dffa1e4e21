// Fuzzes the WebDataset tar reader with arbitrary bytes taken as a shard: members are listed
// and (for every other member, so skipping is covered too) read. Any input either reads or
// throws clippo::Error naming the offset; a member's data is exactly its declared size.
#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <string>

#include "core/base/error.h"
#include "datasets/tar_reader.h"
#include "fuzz/fuzz_temp_file.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  const std::string path = clippo::fuzz::write_scratch_file("shard.tar", data, size);
  try {
    clippo::datasets::TarReader reader(path);
    clippo::datasets::TarMember member;
    uint64_t previous_offset = 0;
    for (int index = 0; reader.next(member); ++index) {
      if (index > 0 && member.offset <= previous_offset) std::abort();  // the reader must move forward
      if (member.offset >= size) std::abort();
      previous_offset = member.offset;
      if (index % 2 == 0 && reader.read_data().size() != member.size) std::abort();
    }
  } catch (const clippo::Error&) {
  }
  return 0;
}
