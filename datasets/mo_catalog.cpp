// .mo parsing with every offset checked against the file size before it is used.
#include "datasets/mo_catalog.h"

#include <cstdint>

#include "core/base/error.h"
#include "core/base/file_io.h"

namespace clippo::datasets {
namespace {

constexpr uint32_t kMoMagic = 0x950412de;
constexpr size_t kHeaderBytes = 20;  // magic, revision, N, O, T (the hash table is not needed)

class MoView {
 public:
  MoView(const std::string& bytes, const std::string& source) : bytes_(bytes), source_(source) {
    check(bytes_.size() >= kHeaderBytes, "shorter than a .mo header");
    const uint32_t magic = word(0);
    swapped_ = magic != kMoMagic;  // then word(0) reads big-endian: the magic again, or not a .mo
    check(magic == kMoMagic || word(0) == kMoMagic, "bad magic number (not a .mo file)");
    check((word(4) >> 16) <= 1, "unknown major revision " + std::to_string(word(4) >> 16));
  }

  uint32_t word(uint64_t offset) const {
    check(offset + 4 <= bytes_.size(), "offset " + std::to_string(offset) + " past the end of the file");
    const auto* p = reinterpret_cast<const unsigned char*>(bytes_.data() + offset);
    const uint32_t little =
        uint32_t{p[0]} | uint32_t{p[1]} << 8 | uint32_t{p[2]} << 16 | uint32_t{p[3]} << 24;
    const uint32_t big = uint32_t{p[3]} | uint32_t{p[2]} << 8 | uint32_t{p[1]} << 16 | uint32_t{p[0]} << 24;
    return swapped_ ? big : little;
  }

  // String i of the table at `table`: its (length, offset) pair, then the bytes.
  std::string string_at(uint64_t table, uint64_t i) const {
    const uint64_t length = word(table + 8 * i), offset = word(table + 8 * i + 4);
    check(offset + length <= bytes_.size(), "string " + std::to_string(i) + " lies outside the file");
    return bytes_.substr(offset, length);
  }

  void check(bool ok, const std::string& why) const {
    CLIPPO_CHECK(ok, kInvalidArgument, "corrupt .mo catalogue '" + source_ + "': " + why);
  }

 private:
  const std::string& bytes_;
  std::string source_;
  bool swapped_ = false;  // the file's byte order is big-endian
};

}  // namespace

std::vector<MoEntry> parse_mo_catalog(const std::string& bytes, const std::string& source) {
  const MoView mo(bytes, source);
  const uint64_t n = mo.word(8), originals = mo.word(12), translations = mo.word(16);
  // Both tables whole inside the file, before n drives any allocation.
  mo.check(originals + 8 * n <= bytes.size() && translations + 8 * n <= bytes.size(),
           std::to_string(n) + " strings do not fit in " + std::to_string(bytes.size()) + " bytes");
  std::vector<MoEntry> entries;
  entries.reserve(n);
  for (uint64_t i = 0; i < n; ++i) {
    std::string id = mo.string_at(originals, i);
    if (id.empty()) continue;  // the header entry: metadata, not a message
    MoEntry e;
    if (const size_t eot = id.find('\x04'); eot != std::string::npos) {
      e.context = id.substr(0, eot);
      id.erase(0, eot + 1);
    }
    e.msgid = id.substr(0, id.find('\0'));
    // "ctx\x04" or "\0plural" alone: no source string to name anything by (found by fuzzing).
    if (e.msgid.empty()) continue;
    const std::string str = mo.string_at(translations, i);
    e.msgstr = str.substr(0, str.find('\0'));
    entries.push_back(std::move(e));
  }
  return entries;
}

std::vector<MoEntry> read_mo_catalog(const std::string& path) {
  return parse_mo_catalog(read_file(path, size_t{1} << 30), path);
}

}  // namespace clippo::datasets
