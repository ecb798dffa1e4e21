// Writing tar archives byte by byte: POSIX ustar members, with a pax 'x' header for names over
// the 100 bytes ustar holds. Deterministic: mtime 0, mode 0644, no owner names, so the same
// members give the same bytes.
#pragma once

#include <cstdint>
#include <string>

namespace clippo::datasets {

// One 512-byte ustar header for `name` (at most 100 bytes, else InvalidArgument) with `size`
// data bytes (below 8 GiB) and typeflag `type` ('0' file, 'x' pax, 'g' global pax, 'L' GNU long name).
std::string tar_header(const std::string& name, uint64_t size, char type = '0');

// A regular-file member: header(s), data, zero padding to a 512-byte boundary.
std::string tar_member(const std::string& name, const std::string& data);

// Pax records for `key`=`value` as "<length> key=value\n".
std::string pax_record(const std::string& key, const std::string& value);

// The end-of-archive marker: two zero blocks.
std::string tar_end();

}  // namespace clippo::datasets
