// Tar headers are 512-byte blocks: name[100] at 0, size[12] at 124 (octal, or base-256 when the
// high bit of its first byte is set, GNU's form for sizes over 8 GiB), chksum[8] at 148,
// typeflag at 156, magic "ustar\0" at 257 and prefix[155] at 345 (POSIX.1-1988 and
// POSIX.1-2001 pax; GNU tar's manual, "Basic Tar Format").
#include "datasets/tar_reader.h"

#include <algorithm>
#include <cstring>
#include <filesystem>
#include <optional>

#include "core/base/error.h"

namespace clippo::datasets {
namespace {

constexpr uint64_t kBlock = 512;
// Long-name and pax header data is metadata: more than this is a corrupt size field.
constexpr uint64_t kMaxMetadataBytes = uint64_t{1} << 20;

uint64_t round_up_to_block(uint64_t n) { return (n + kBlock - 1) / kBlock * kBlock; }

// A NUL-terminated field of at most `size` bytes.
std::string field_string(const char* field, size_t size) { return std::string(field, strnlen(field, size)); }

bool is_zero_block(const char* block) {
  return std::all_of(block, block + kBlock, [](char c) { return c == 0; });
}

}  // namespace

TarReader::TarReader(const std::string& path) : path_(path) {
  std::error_code ec;
  CLIPPO_CHECK(std::filesystem::is_regular_file(path, ec), kNotFound, "no such tar file: '" + path + "'");
  file_size_ = std::filesystem::file_size(path, ec);
  CLIPPO_CHECK(!ec, kUnavailable, "cannot read '" + path + "': " + ec.message());
  in_.open(path, std::ios::binary);
  CLIPPO_CHECK(in_.good(), kUnavailable, "cannot open '" + path + "'");
}

void TarReader::corrupt(uint64_t offset, const std::string& why) const {
  throw Error(ErrorCode::kInvalidArgument, path_ + " at byte " + std::to_string(offset) + ": " + why);
}

void TarReader::skip_to(uint64_t offset) {
  if (position_ == offset) return;
  in_.clear();
  in_.seekg(static_cast<std::streamoff>(offset));
  position_ = offset;
}

std::string TarReader::read_bytes(uint64_t size, const std::string& what) {
  std::string bytes(size, '\0');
  in_.read(bytes.data(), static_cast<std::streamsize>(size));
  if (static_cast<uint64_t>(in_.gcount()) != size) corrupt(position_, what + " cut short");
  position_ += size;
  return bytes;
}

namespace {

// An octal or base-256 number field; nullopt when malformed.
std::optional<uint64_t> parse_number(const char* field, size_t size) {
  const auto* bytes = reinterpret_cast<const unsigned char*>(field);
  if (bytes[0] & 0x80) {  // base-256, big-endian, the first byte's high bit only marks the form
    if (bytes[0] != 0x80) return std::nullopt;  // negative, or more than 64 bits
    uint64_t value = 0;
    for (size_t i = 1; i < size; ++i) {
      if (value >> 56) return std::nullopt;
      value = (value << 8) | bytes[i];
    }
    return value;
  }
  size_t i = 0;
  while (i < size && (field[i] == ' ' || field[i] == '\0')) ++i;
  uint64_t value = 0;
  for (; i < size && field[i] != ' ' && field[i] != '\0'; ++i) {
    if (field[i] < '0' || field[i] > '7' || (value >> 61)) return std::nullopt;
    value = value * 8 + static_cast<uint64_t>(field[i] - '0');
  }
  return value;
}

// The header checksum counts the checksum field as eight spaces. Historic tars summed signed
// chars; both sums are accepted, as GNU tar does.
bool checksum_matches(const char* header) {
  const std::optional<uint64_t> stored = parse_number(header + 148, 8);
  if (!stored) return false;
  int64_t unsigned_sum = 0, signed_sum = 0;
  for (size_t i = 0; i < kBlock; ++i) {
    const bool in_field = i >= 148 && i < 156;
    unsigned_sum += in_field ? ' ' : static_cast<unsigned char>(header[i]);
    signed_sum += in_field ? ' ' : static_cast<signed char>(header[i]);
  }
  return static_cast<int64_t>(*stored) == unsigned_sum || static_cast<int64_t>(*stored) == signed_sum;
}

std::string header_name(const char* header) {
  const std::string name = field_string(header, 100);
  // The prefix field exists in POSIX ustar only; GNU's "ustar  " magic keeps other data there.
  if (std::memcmp(header + 257, "ustar\0", 6) != 0) return name;
  const std::string prefix = field_string(header + 345, 155);
  return prefix.empty() ? name : prefix + "/" + name;
}

// Pax records "<length> <key>=<value>\n", the length counting the whole record; nullopt when
// malformed. An empty value removes the key (POSIX: it cancels a global setting).
bool parse_pax_records(const std::string& data, std::map<std::string, std::string>& into) {
  size_t pos = 0;
  while (pos < data.size()) {
    if (data[pos] == '\0') break;  // some writers pad the data with NULs
    const size_t space = data.find(' ', pos);
    if (space == std::string::npos || space == pos || space - pos > 7) return false;
    const std::string digits = data.substr(pos, space - pos);
    if (digits.find_first_not_of("0123456789") != std::string::npos) return false;
    const size_t length = std::stoul(digits);
    if (length <= space - pos + 1 || pos + length > data.size() || data[pos + length - 1] != '\n')
      return false;
    const std::string record = data.substr(space + 1, pos + length - 1 - (space + 1));
    const size_t eq = record.find('=');
    if (eq == std::string::npos || eq == 0) return false;
    const std::string value = record.substr(eq + 1);
    if (value.empty()) {
      into.erase(record.substr(0, eq));
    } else {
      into[record.substr(0, eq)] = value;
    }
    pos += length;
  }
  return true;
}

}  // namespace

bool TarReader::read_block(char* block, uint64_t offset) {
  skip_to(offset);
  if (offset >= file_size_) return false;
  if (offset + kBlock > file_size_) corrupt(offset, "header cut short (truncated archive)");
  const std::string bytes = read_bytes(kBlock, "header");
  std::memcpy(block, bytes.data(), kBlock);
  return true;
}

bool TarReader::next(TarMember& member) {
  std::string long_name;                   // from a GNU 'L' header, for the next entry
  std::map<std::string, std::string> pax;  // from a pax 'x' header, for the next entry
  data_pending_ = false;
  for (;;) {
    const uint64_t offset = next_header_;
    char header[kBlock];
    if (!read_block(header, offset) || is_zero_block(header)) return false;
    if (!checksum_matches(header)) corrupt(offset, "bad header checksum");
    const std::optional<uint64_t> header_size = parse_number(header + 124, 12);
    if (!header_size) corrupt(offset, "bad size field");
    const char type = header[156];
    const bool regular = type == '0' || type == '\0' || type == '7';
    uint64_t size = *header_size;
    if (regular && pax.count("size")) {
      const std::string& s = pax["size"];
      if (s.empty() || s.size() > 19 || s.find_first_not_of("0123456789") != std::string::npos) {
        corrupt(offset, "bad pax size '" + s + "'");
      }
      size = std::stoull(s);
    }
    data_offset_ = offset + kBlock;
    data_size_ = size;
    if (size > file_size_ - std::min(file_size_, data_offset_)) {
      corrupt(offset, "member '" + header_name(header) + "' data cut short (truncated archive)");
    }
    next_header_ = data_offset_ + round_up_to_block(size);

    const bool metadata = type == 'L' || type == 'x' || type == 'g';
    if (metadata && size > kMaxMetadataBytes)
      corrupt(offset, "long-name or pax header of " + std::to_string(size) + " bytes");
    if (type == 'L') {
      const std::string data = read_bytes(size, "long name");
      long_name = data.substr(0, strnlen(data.data(), data.size()));
    } else if (type == 'x' || type == 'g') {
      if (!parse_pax_records(read_bytes(size, "pax header"), type == 'x' ? pax : global_pax_)) {
        corrupt(offset, "malformed pax header");
      }
    } else if (regular) {
      member.offset = offset;
      member.size = size;
      member.name = header_name(header);
      if (!long_name.empty()) member.name = long_name;
      if (const auto g = global_pax_.find("path"); g != global_pax_.end()) member.name = g->second;
      if (const auto x = pax.find("path"); x != pax.end()) member.name = x->second;
      data_pending_ = true;
      return true;
    } else {  // directory, link, device...: what a dataset reader has no use for
      long_name.clear();
      pax.clear();
    }
  }
}

std::string TarReader::read_data() {
  CLIPPO_CHECK(data_pending_, kFailedPrecondition, path_ + ": no member data to read");
  data_pending_ = false;
  skip_to(data_offset_);
  return read_bytes(data_size_, "member data");
}

}  // namespace clippo::datasets
