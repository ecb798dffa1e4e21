// ustar header layout: see tar_reader.cpp.
#include "datasets/tar_writer.h"

#include <cstdio>
#include <cstring>

#include "core/base/error.h"

namespace clippo::datasets {
namespace {

constexpr size_t kBlock = 512;

// `value` as zero-padded octal in a field of `width` bytes, the last a NUL.
void put_octal(char* field, size_t width, uint64_t value) {
  std::snprintf(field, width, "%0*llo", static_cast<int>(width - 1), static_cast<unsigned long long>(value));
}

std::string padding_for(size_t size) { return std::string((kBlock - size % kBlock) % kBlock, '\0'); }

}  // namespace

std::string tar_header(const std::string& name, uint64_t size, char type) {
  CLIPPO_CHECK(!name.empty() && name.size() <= 100, kInvalidArgument,
               "tar member name must have 1 to 100 bytes: '" + name + "'");
  CLIPPO_CHECK(size < (uint64_t{1} << 33), kInvalidArgument, "tar member '" + name + "' is 8 GiB or more");
  std::string h(kBlock, '\0');
  std::memcpy(h.data(), name.data(), name.size());
  put_octal(&h[100], 8, 0644);  // mode
  put_octal(&h[108], 8, 0);     // uid
  put_octal(&h[116], 8, 0);     // gid
  put_octal(&h[124], 12, size);
  put_octal(&h[136], 12, 0);  // mtime: fixed, for reproducible archives
  h[156] = type;
  std::memcpy(&h[257],
              "ustar\0"
              "00",
              8);
  std::memset(&h[148], ' ', 8);  // the checksum counts its own field as spaces
  unsigned sum = 0;
  for (const char c : h) sum += static_cast<unsigned char>(c);
  std::snprintf(&h[148], 8, "%06o", sum);  // six digits, NUL, and the space left from above
  return h;
}

std::string pax_record(const std::string& key, const std::string& value) {
  // The length includes its own digits: grow it until it is consistent.
  const size_t body = 1 + key.size() + 1 + value.size() + 1;  // " key=value\n"
  size_t length = body + 1;
  while (std::to_string(length).size() + body != length) length = std::to_string(length).size() + body;
  return std::to_string(length) + " " + key + "=" + value + "\n";
}

std::string tar_member(const std::string& name, const std::string& data) {
  std::string out;
  std::string short_name = name;
  if (name.size() > 100) {  // pax carries the real name; the ustar field gets a stand-in
    const std::string records = pax_record("path", name);
    out += tar_header("PaxHeader", records.size(), 'x') + records + padding_for(records.size());
    short_name = name.substr(name.size() - 100);
  }
  out += tar_header(short_name, data.size(), '0');
  out += data;
  out += padding_for(data.size());
  return out;
}

std::string tar_end() { return std::string(2 * kBlock, '\0'); }

}  // namespace clippo::datasets
